"""Periodic jobs, knowing no domain: the registry (``registry.py``: domains add their jobs at app
creation, outside packages by entry point), the scheduler process (``scheduler.py``, started by
``flask jobs scheduler``; web workers never run it) with its leader lease and fencing
(``lease.py``), and the job-run log (``run_log.py`` over ``models.JobRun``). ``cli.py`` holds
``flask jobs scheduler`` and ``flask jobs list``."""
