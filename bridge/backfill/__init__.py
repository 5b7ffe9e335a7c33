"""`bridge backfill`: last month's tickets, judged as if they had arrived when they happened.

Two steps, each resumable, each committing its progress with what it did:
1. `reading.py`: Zendesk's cursor-based incremental ticket export, at the export's own rate
   limit (`pacing.py`), page by page into `backfill_tickets`; the page and the export's cursor
   commit together, so a run stopped at any point reads on from the last page it kept.
2. `evaluation.py`: the staged tickets in the order the customers reported them, through the
   worker's own processing and detection (historical events: windows judged at each ticket's
   time). `--apply` commits each chunk with its tickets marked evaluated; the dry run evaluates
   the same tickets the same way in one transaction and rolls it back, so the two agree.
"""
