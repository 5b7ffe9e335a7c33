from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture(vendor: str, name: str) -> dict:
    return json.loads((FIXTURES / vendor / f"{name}.json").read_text())


def fixture_names(vendor: str) -> set[str]:
    return {path.stem for path in (FIXTURES / vendor).glob("*.json")}
