"""The rule files a config names: glob patterns expanded, and a fingerprint that tells when to reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
