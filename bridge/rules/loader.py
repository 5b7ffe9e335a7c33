"""Load rule files into a RuleSet, reporting every problem of every file at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from bridge.rules.ruleset import Rule, RuleSet
from bridge.rules.schema import RuleFileSpec
from bridge.rules.validated import ValidationContext
from bridge.yamlsource import LocatedDocument, SourceError, SourceErrors, load_yaml, pydantic_errors

Fingerprint = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class RuleFiles:
    """The rule files that glob patterns (relative to base_dir) name, in a stable order."""

    patterns: tuple[str, ...]
    base_dir: Path

    def expand(self) -> list[tuple[str, list[Path]]]:
        """Each pattern with the files it matches (sorted; directories skipped)."""
        expanded = []
        for pattern in self.patterns:
            if Path(pattern).is_absolute():
                root, relative = Path(Path(pattern).anchor), str(Path(pattern).relative_to(Path(pattern).anchor))
            else:
                root, relative = self.base_dir, pattern
            expanded.append((pattern, sorted(p for p in root.glob(relative) if p.is_file())))
        return expanded

    def paths(self) -> list[Path]:
        unique: dict[Path, None] = {}
        for _, paths in self.expand():
            unique.update(dict.fromkeys(paths))
        return list(unique)

    def fingerprint(self) -> Fingerprint:
        """Changes whenever a file is added, removed, or its size or modification time changes."""
        stamps = set()
        for path in self.paths():
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.add((str(path), stat.st_mtime_ns, stat.st_size))
        return frozenset(stamps)

    def display_name(self, path: Path) -> str:
        """The path as errors show it: relative to base_dir when inside it."""
        try:
            return str(path.relative_to(self.base_dir))
        except ValueError:
            return str(path)


def load_rules(patterns: Sequence[str | Path], base_dir: Path, teams: Collection[str],
               custom_fields: Mapping[str, int]) -> RuleSet:
    """Every rule of every file the patterns match; SourceErrors listing all problems found."""
    files = RuleFiles(tuple(str(p) for p in patterns), Path(base_dir))
    context = ValidationContext(frozenset(teams), dict(custom_fields))
    errors: list[SourceError] = []
    rules: list[Rule] = []
    names: list[_NameDeclaration] = []
    for pattern, paths in files.expand():
        if not paths:
            errors.append(SourceError(pattern, None, "", f"no rule file matches (looked in {files.base_dir})"))
    for path in files.paths():
        name = files.display_name(path)
        try:
            documents = load_yaml(path)
        except SourceErrors as exc:
            errors += [SourceError(name, e.line, e.key, e.message) for e in exc.errors]
            continue
        for document in documents:
            document.file = name
            file_rules, file_errors = _rules_of(document, context)
            rules += file_rules
            errors += file_errors
            names += _declared_names(document)
    errors += _duplicate_names(names)
    if errors:
        raise SourceErrors(errors)
    return RuleSet(rules, files)


def _rules_of(document: LocatedDocument, context: ValidationContext) -> tuple[list[Rule], list[SourceError]]:
    if document.data is None:
        return [], [document.error((), "empty document: expected a mapping with a 'rules' list")]
    try:
        spec = RuleFileSpec.model_validate(document.data, context=context)
    except ValidationError as exc:
        return [], pydantic_errors(document, exc)
    rules = [Rule.from_spec(rule, document.file, document.line_of(("rules", i, "name")))
             for i, rule in enumerate(spec.rules)]
    return rules, []


@dataclass(frozen=True)
class _NameDeclaration:
    name: str
    file: str
    line: int | None
    key: str


def _declared_names(document: LocatedDocument) -> list[_NameDeclaration]:
    """Rule names as written, also in rules that failed validation, so duplicates show at once."""
    items = document.data.get("rules") if isinstance(document.data, dict) else None
    return [_NameDeclaration(item["name"], document.file, document.line_of(("rules", i, "name")),
                             f"rules[{i}].name")
            for i, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("name"), str)]


def _duplicate_names(names: list[_NameDeclaration]) -> list[SourceError]:
    first: dict[str, _NameDeclaration] = {}
    errors = []
    for declared in names:
        if declared.name not in first:
            first[declared.name] = declared
            continue
        earlier = first[declared.name]
        errors.append(SourceError(declared.file, declared.line, declared.key,
                                  f"duplicate rule name {declared.name!r} (first defined at "
                                  f"{earlier.file}:{earlier.line} {earlier.key})"))
    return errors
