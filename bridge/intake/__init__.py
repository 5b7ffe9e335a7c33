"""A ticket or a Jira change arriving: webhook deliveries committed to the inbox in groups
(group_commit.py), the inbox worker that claims them in arrival order (inbox_worker.py) and applies
them (processing.py), and the scheduled jobs that feed in tickets the webhooks missed
(reconcile_zendesk.py) and prune old inbox rows (prune_inbox.py)."""
