"""A bulk send run in this process with a progress bar (`bridge problems close`, `bridge problems
notify`): the bar follows the items settled (told or given up on)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

import click


class Settled(Protocol):
    @property
    def done(self) -> int: ...
    @property
    def failed(self) -> int: ...


class Finished(Settled, Protocol):
    @property
    def state(self) -> str: ...
    @property
    def total(self) -> int: ...


Progress = TypeVar("Progress", bound=Settled)


def with_progress_bar(total: int, label: str, name: str,
                      run: Callable[[Callable[[Progress], None]], Progress]) -> Progress:
    """`run(on_progress)` under a progress bar of `total` items; a parked send (`name`, e.g.
    "closure 3") becomes a message saying how to retry it."""
    from bridge.actions.in_process import SendStalled

    with click.progressbar(length=total, label=label, show_pos=True) as bar:
        def show(progress: Progress) -> None:
            bar.update(progress.done + progress.failed - bar.pos)

        try:
            return run(show)
        except SendStalled as error:
            raise click.ClickException(f"{name} stopped: {error} "
                                       "(`bridge actions failed`, then `bridge actions retry`)") from None


def report_send(name: str, progress: Finished, told: str, failures: Iterable[str]) -> None:
    """How the send ended (`told`: "tickets notified", "customers told"), one line per item given
    up on; exit 1 when there were any."""
    click.echo(f"{name} {progress.state}: {progress.done} of {progress.total} {told}"
               + (f", {progress.failed} failed" if progress.failed else ""))
    for line in failures:
        click.echo(f"  {line}")
    if progress.failed:
        raise SystemExit(1)
