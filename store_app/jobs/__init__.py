"""Periodic jobs, knowing no domain: the registry (``registry.py``: domains add their jobs at app
creation, outside packages by entry point), the scheduler process with its leader lock
(``scheduler.py``, started by ``flask jobs scheduler``; web workers never run it), and the job-run
log (``run_log.py`` over ``models.JobRun``). ``cli.py`` holds ``flask jobs scheduler`` and
``flask jobs list``."""
