"""`bridge serve`: the HTTP server on granian, the worker process beside it and the scheduler
(server.py), one worker process per SQLite database (single_process.py), and children that stop
when their parent dies (parent_death.py)."""
