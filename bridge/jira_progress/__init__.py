"""Jira's progress reaching the tickets: what an issue change means (issue_sync.py, a pure
decision), applying it to the problem (status_sync.py), the status updates on linked tickets
(status_actions.py), and polling Jira for changes its webhooks missed (poll_jira.py)."""
