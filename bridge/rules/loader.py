"""Load rule files into a RuleSet, reporting every problem of every file at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from bridge.rules.rule_files import RuleFiles
from bridge.rules.ruleset import Rule, RuleSet
from bridge.rules.schema import RuleFileSpec
from bridge.rules.validated import ValidationContext
from bridge.rules.yamlsource import LocatedDocument, SourceError, SourceErrors, load_yaml, pydantic_errors


def load_rules(patterns: Sequence[str | Path], base_dir: Path, teams: Collection[str],
               custom_fields: Mapping[str, int], impact_configured: bool = False) -> RuleSet:
    """Every rule of every file the patterns match; SourceErrors listing all problems found."""
    files = RuleFiles(tuple(str(p) for p in patterns), Path(base_dir))
    context = ValidationContext(frozenset(teams), dict(custom_fields), impact_configured)
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


def rules_from_text(text: str, name: str, teams: Collection[str], custom_fields: Mapping[str, int],
                    impact_configured: bool = False) -> RuleSet:
    """The rules of one rule file's text, validated as `load_rules` validates a file (`name` in
    the errors): e.g. a suggested rule before it is written anywhere."""
    context = ValidationContext(frozenset(teams), dict(custom_fields), impact_configured)
    rules: list[Rule] = []
    errors: list[SourceError] = []
    for document in load_yaml(name, text):
        document.file = name
        file_rules, file_errors = _rules_of(document, context)
        rules += file_rules
        errors += file_errors + _duplicate_names(_declared_names(document))
    if errors:
        raise SourceErrors(errors)
    return RuleSet(rules)


def _rules_of(document: LocatedDocument, context: ValidationContext) -> tuple[list[Rule], list[SourceError]]:
    if document.data is None:
        return [], [document.error((), "empty document: expected a mapping with a 'rules' list")]
    try:
        spec = RuleFileSpec.model_validate(document.data, context=context)
    except ValidationError as exc:
        return [], pydantic_errors(document, exc, model=RuleFileSpec)
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
