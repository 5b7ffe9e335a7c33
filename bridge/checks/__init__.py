"""`bridge check`: the config, the rules and the database (preflight.py), and whether what the
config names exists in the live Jira (jira_check.py) and Zendesk (zendesk_check.py)."""
