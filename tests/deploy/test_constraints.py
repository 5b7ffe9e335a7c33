"""constraints.txt pins everything the image installs: every dependency pyproject.toml declares and
everything those need, at versions that satisfy what each one asks for."""

from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from deploy.freeze_constraints import (
    CONSTRAINTS,
    applies,
    declared_requirements,
    image_environment,
    read_constraints,
    requirements_of,
)

REGENERATE = "regenerate it: python deploy/freeze_constraints.py > constraints.txt"


def unmet(requirements: list[Requirement], pins: dict[str, str]) -> list[str]:
    problems = []
    for requirement in requirements:
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement} is not pinned")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} is pinned at {version}")
    return problems


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_every_declared_dependency_is_pinned_at_a_version_it_allows():
    environment = image_environment()
    declared = [r for r in declared_requirements() if applies(r, environment)]
    assert {canonicalize_name(r.name) for r in declared} >= {"flask", "granian", "uvloop", "psycopg"}
    assert unmet(declared, read_constraints()) == [], REGENERATE


def test_what_the_pinned_packages_need_is_pinned_too():
    """Checked against the metadata of each pinned package installed here at its pinned version
    (the image-steps test installs exactly the pins and runs `pip check` on the result)."""
    pins, environment = read_constraints(), image_environment()
    checked, problems = 0, []
    for name, version in pins.items():
        if installed_version(name) != version:
            continue
        checked += 1
        extras = {extra for r in declared_requirements() if canonicalize_name(r.name) == name for extra in r.extras}
        problems += [f"{name}: {problem}"
                     for problem in unmet(list(requirements_of(name, extras, environment)), pins)]
    assert checked, "no pinned package is installed at its pinned version here"
    assert problems == [], REGENERATE


def test_the_pins_are_exact_and_one_per_package():
    lines = [line for line in CONSTRAINTS.read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line and ";" not in line for line in lines), lines
    assert len(lines) == len(read_constraints())
