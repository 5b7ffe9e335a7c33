"""The documentation holds together: every link and anchor leads somewhere, every page under docs/
is reachable from the README, and docs/configuration.md names every key the config accepts."""

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from bridge.config.settings import Settings
from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").glob("*.md"))]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(markdown: str) -> str:
    """The text outside code: fenced blocks and inline code can hold brackets that are not links."""
    without_fences = re.sub(r"(?ms)^```.*?^```", "", markdown)
    return re.sub(r"`[^`\n]*`", "", without_fences)


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"(?m)^#+ (.+)$", prose(markdown))
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def local_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text()))
            if not re.match(r"[a-z]+:", target)]


def test_every_link_and_anchor_resolves():
    broken = []
    for page in PAGES:
        for target in local_links(page):
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and anchor not in anchors(linked.read_text()):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in local_links(ROOT / "README.md")}
    orphans = [page.name for page in (ROOT / "docs").glob("*.md") if page.resolve() not in linked]
    assert not orphans, f"not linked from README.md: {orphans}"


def config_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key a config file may set, dotted; a mapping or list of free keys counts as one."""
    keys = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        key = prefix + (field.alias or name)
        nested = field.annotation if isinstance(field.annotation, type) else None
        if nested is not None and issubclass(nested, BaseModel) and not typing.get_args(field.annotation):
            keys += config_keys(nested, key + ".")
        else:
            keys.append(key)
    return keys


def documented_keys(markdown: str) -> set[str]:
    """The keys in the first column of the key tables: `section.key`, then bare `key`s of that section."""
    keys = set()
    for first_cell in re.findall(r"(?m)^\| (.+?) \| ", markdown):
        section = ""
        for token in re.findall(r"`([^`]+)`", first_cell):
            if "." in token:
                keys.add(token)
                section = token.rsplit(".", 1)[0] + "."
            else:
                keys.add(section + token)
    return keys


def test_every_config_key_is_in_docs_configuration():
    documented = documented_keys((ROOT / "docs" / "configuration.md").read_text())
    # A row may name a key's parent (`status_sync.not_fixed`) or a key under a free mapping
    # (`status_sync.statuses.<name>`).
    missing = [key for key in config_keys(Settings)
               if not any(key == doc or key.startswith(doc + ".") or doc.startswith(key + ".")
                          for doc in documented)]
    assert not missing, f"config keys missing from docs/configuration.md: {missing}"


def test_connecting_lists_exactly_the_zendesk_event_types_the_bridge_subscribes_to():
    listed = re.findall(r"zen:event-type:ticket\.[a-z_]+", (ROOT / "docs" / "connecting.md").read_text())
    assert sorted(listed) == sorted(SUBSCRIBED_EVENT_TYPES)
