"""Plain-text tables for the command line: columns as wide as their widest cell."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click


def cell(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str) -> None:
    """One line per row under a header line; `empty` instead when there are no rows. The last
    column is free text and is not padded."""
    lines = [[cell(value) for value in row] for row in rows]
    if not lines:
        click.echo(empty)
        return
    widths = [max(len(line[i]) for line in [list(headers), *lines]) for i in range(len(headers) - 1)]
    for line in [list(headers), *lines]:
        padded = [text.ljust(width) for text, width in zip(line, widths, strict=False)]
        click.echo("  ".join([*padded, line[-1]]).rstrip())
