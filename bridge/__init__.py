"""Zendesk–Jira problem bridge: turns recurring support tickets into Jira problems and back."""

__version__ = "0.1.0"
