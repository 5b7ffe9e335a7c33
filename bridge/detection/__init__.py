"""Does this ticket make a problem? The rules a running bridge uses (live_rules.py: the configured
files, hot reload; agent_rules.py: the rules agents' tags imply) and the detector that applies them
to each ticket inside the inbox worker's transaction."""
