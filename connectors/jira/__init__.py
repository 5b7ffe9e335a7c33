"""Jira connector: webhook parsing and signatures, API client, simulator."""
