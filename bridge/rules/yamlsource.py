"""YAML documents that remember where every key came from, so errors can name file, line and key."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from bridge.rules.plain_messages import plain_message, suggested_key

KeyPath = tuple[str | int, ...]
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class SourceError:
    """One problem in a source file, located as precisely as the file allows."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(top level)'}: {self.message}"


class SourceErrors(Exception):
    """All problems found in one pass; str() lists them one per line."""

    def __init__(self, errors: Iterable[SourceError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def format_key(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class LocatedDocument:
    """Plain Python data from one YAML document plus the line of every key path in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """Line of the key path, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: KeyPath, message: str) -> SourceError:
        return SourceError(self.file, self.line_of(path), format_key(path), message)


def load_yaml(path: str | os.PathLike, text: str | None = None) -> list[LocatedDocument]:
    """Parse every document of a YAML file; duplicate keys and syntax errors become SourceErrors."""
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceErrors([SourceError(name, None, "", f"cannot read file: {exc}")]) from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceErrors([SourceError(name, line, "", f"invalid YAML: {problem}")]) from None
    documents: list[LocatedDocument] = []
    errors: list[SourceError] = []
    scalars = yaml.SafeLoader("")  # only its scalar constructors are used
    for node in nodes:
        document = LocatedDocument(name, None)
        document.data = _convert(node, (), document, errors, scalars)
        documents.append(document)
    if errors:
        raise SourceErrors(errors)
    return documents


def _convert(node: yaml.Node, path: KeyPath, document: LocatedDocument, errors: list,
             scalars: yaml.SafeLoader) -> Any:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # Scalar keys only; complex keys make no sense in our files.
            key = scalars.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)):
                errors.append(SourceError(document.file, key_node.start_mark.line + 1,
                                          format_key(path), "keys must be plain strings"))
                continue
            key = str(key)
            child = (*path, key)
            if key in result:
                errors.append(SourceError(document.file, key_node.start_mark.line + 1,
                                          format_key(child), "duplicate key"))
                continue
            document.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, document, errors, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), document, errors, scalars)
                for i, item in enumerate(node.value)]
    try:
        return scalars.construct_object(node)
    except ValueError as exc:  # a plain scalar that looks like a date but is none: 2024-13-01
        errors.append(document.error(path, f"invalid value {node.value!r}: {exc}"))
        return node.value


def substitute_environment(document: LocatedDocument, environ: dict[str, str]) -> list[SourceError]:
    """Replace `${VAR}` / `${VAR:-default}` in every string value, in place; unset VAR is an error.
    `VAR_FILE` naming a file stands for VAR (see environment_value)."""
    errors: list[SourceError] = []

    def visit(value: Any, path: KeyPath) -> Any:
        if isinstance(value, dict):
            return {k: visit(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [visit(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return _ENV_REFERENCE.sub(lambda m: lookup(m, path), value)
        return value

    def lookup(match: re.Match, path: KeyPath) -> str:
        name, default = match.group(1), match.group(2)
        try:
            value = environment_value(name, environ)
        except ValueError as exc:
            errors.append(document.error(path, str(exc)))
            return ""
        if value is not None:
            return value
        if default is not None:
            return default
        errors.append(document.error(path, f"environment variable {name} is not set"))
        return ""

    document.data = visit(document.data, ())
    return errors


def environment_value(name: str, environ: dict[str, str]) -> str | None:
    """The variable's value or, with `<name>_FILE` set instead, the contents of the file it names
    (the way Docker and Kubernetes mount secrets) less one trailing newline; None if neither is set.
    Errors name the variable and the file, never the contents."""
    value = environ.get(name, "")
    file_variable = f"{name}_FILE"
    path = environ.get(file_variable, "")
    if not path:
        return value or None
    if value:
        raise ValueError(f"both {name} and {file_variable} are set: set one of them")
    try:
        contents = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{file_variable} names {path}, which cannot be read: "
                         f"{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{file_variable} names {path}, which is not UTF-8 text") from None
    contents = contents.removesuffix("\n").removesuffix("\r")
    if not contents:
        raise ValueError(f"{file_variable} names {path}, which is empty")
    return contents


def pydantic_errors(document: LocatedDocument, exc: Any, prefix: KeyPath = (),
                    model: type[BaseModel] | None = None) -> list[SourceError]:
    """Turn a pydantic ValidationError of `model` into located SourceErrors (one per problem), said
    in the bridge's words. A missing key that a misspelt one next to it meant is not reported
    twice: `zendesk.emial: unknown key; did you mean 'email'?` says it all."""
    problems = [(problem, tuple(p for p in problem["loc"] if not _is_pydantic_tag(p)))
                for problem in exc.errors(include_url=False)]
    meant = {(*path[:-1], key) for problem, path in problems
             if (key := suggested_key(problem, model, path)) is not None}
    return [document.error((*prefix, *path), plain_message(problem, model, path))
            for problem, path in problems if not (problem["type"] == "missing" and path in meant)]


def _is_pydantic_tag(part: Any) -> bool:
    # Discriminated unions and function validators add non-key entries to `loc`.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
