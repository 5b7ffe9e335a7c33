"""`bridge serve`: the HTTP server on granian (server.py), the worker process beside it running the
workers and the scheduler (worker_process.py), what each builds after the fork (process_runtime.py),
one worker process per SQLite database (single_process.py), and children that stop when their
parent dies (parent_death.py)."""
