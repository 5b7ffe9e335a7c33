"""Every outbox action kind and its handler, in one table: each handler object lists the kinds it
carries out (`handlers()`), and registering a kind twice is an error, not a silent overwrite."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol

from bridge.actions.worker import Handler


class DuplicateActionKind(ValueError):
    pass


class HandlesActions(Protocol):
    def handlers(self) -> Mapping[str, Handler]: ...


class ActionRegistry:
    def __init__(self, providers: Iterable[HandlesActions]):
        table: dict[str, Handler] = {}
        owners: dict[str, str] = {}
        for provider in providers:
            owner = type(provider).__name__
            for kind, handler in provider.handlers().items():
                if kind in table:
                    raise DuplicateActionKind(f"action kind {kind!r} is handled by both {owners[kind]} and {owner}")
                table[kind], owners[kind] = handler, owner
        self.handlers: Mapping[str, Handler] = MappingProxyType(table)

    @property
    def kinds(self) -> list[str]:
        return sorted(self.handlers)
