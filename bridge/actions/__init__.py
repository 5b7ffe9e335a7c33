"""Outbox actions: what the bridge does to Jira and Zendesk, and the worker that carries it out."""
