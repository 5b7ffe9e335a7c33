"""What the code imports and what the README runs is installed by `pip install .` (or, for the
tests, `pip install '.[test]'`): nothing works only because it happens to be in the developer's venv."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
FIRST_PARTY = {"bridge", "connectors", "tests", "bench", "deploy"}
# Programs a README reader has before installing anything.
# Programs the README names that the bridge does not install: Python itself, and Docker for the
# compose deployment (docs/deploy.md says to install it).
BASE_PROGRAMS = {"python3", "pip", "docker"}
# Import names of the distributions in extras the tests' install leaves out (`bench`), which
# packages_distributions() cannot name when they are not installed.
NOT_INSTALLED_BY_TESTS = {"sklearn": "scikit-learn"}


def distribution_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def declared(*extras: str) -> set[str]:
    requirements = PROJECT["dependencies"] + [r for extra in extras for r in PROJECT["optional-dependencies"][extra]]
    return {distribution_name(requirement) for requirement in requirements}


def imported_modules(folder: str) -> dict[str, str]:
    """Top-level module -> the first file that imports it, for every third-party import."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("folders, extras", [(("bridge", "connectors"), ()), (("tests", "bench"), ("test", "bench"))])
def test_every_imported_third_party_module_is_declared(folders, extras):
    providers = metadata.packages_distributions()
    allowed = declared(*extras)
    undeclared = {}
    for folder in folders:
        for module, where in imported_modules(folder).items():
            names = providers.get(module) or [NOT_INSTALLED_BY_TESTS.get(module, module)]
            distributions = {name.lower().replace("_", "-") for name in names}
            if not distributions & allowed:
                undeclared[module] = where
    assert undeclared == {}, "imported but not in pyproject.toml's dependencies"


def console_scripts(distributions: set[str]) -> set[str]:
    scripts = set()
    for name in distributions:
        try:
            entry_points = metadata.distribution(name).entry_points
        except metadata.PackageNotFoundError:
            continue
        scripts |= {entry.name for entry in entry_points if entry.group == "console_scripts"}
    return scripts


def test_every_program_the_readme_runs_comes_with_the_bridge():
    readme = (ROOT / "README.md").read_text()
    programs = {span.split()[0] for span in re.findall(r"`([^`\n]+)`", readme)
                if re.match(r"[a-z][a-z0-9-]* ", span)}
    installed = console_scripts(declared() | {PROJECT["name"]}) | BASE_PROGRAMS
    assert programs - installed == set()
