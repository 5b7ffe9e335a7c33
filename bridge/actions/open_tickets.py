"""Which linked tickets a bulk update can reach: Zendesk cannot update closed ones."""

from __future__ import annotations

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks
from bridge.storage.snapshots import TicketSnapshots


def not_closed(candidates: list[int], tickets: TicketSnapshots, limit: int) -> list[int]:
    """The first (up to) `limit` of `candidates` whose snapshot is not closed; snapshots are read
    only as far as needed to fill the batch."""
    batch: list[int] = []
    for chunk in chunks(candidates, BULK_LIMIT):
        closed = {t.id for t in tickets.get_many(chunk) if t.status == "closed"}
        batch += [t for t in chunk if t not in closed]
        if len(batch) >= limit:
            break
    return batch[:limit]
