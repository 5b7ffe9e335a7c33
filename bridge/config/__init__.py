"""The configuration file: its schema, `${ENV}` substitution and located errors (settings.py), and
the sections with a module of their own (Jira's progress and regressions, tag formats)."""
