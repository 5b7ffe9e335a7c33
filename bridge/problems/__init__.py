"""A problem once it is open: its outbox actions (actions.py: create the Jira issue, link and unlink
tickets, counts, escalations, regressions) and what the API, the CLI (views.py) and leaders' report
(report.py) show of problems."""
