from __future__ import annotations

import ast
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture(vendor: str, name: str) -> dict:
    return json.loads((FIXTURES / vendor / f"{name}.json").read_text())


def fixture_names(vendor: str) -> set[str]:
    return {path.stem for path in (FIXTURES / vendor).glob("*.json")}


def fixtures_named_in(test_module: str | Path, vendor: str) -> set[str]:
    """The `vendor` fixtures a test module names in its code (string literals it loads them by).

    Read from the module's source, not recorded while its tests run, so a coverage guard built on
    it gives the same answer whichever tests run, in whatever order."""
    tree = ast.parse(Path(test_module).read_text(encoding="utf-8"))
    literals = {node.value for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return fixture_names(vendor) & literals
