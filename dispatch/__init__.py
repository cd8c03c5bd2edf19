"""The courier dispatcher.

The core (``model``, ``geo``, ``routes``, ``bundling``, ``planner``, ``baselines`` and ``sim/``) is pure:
plain frozen dataclasses and ``now`` in, a plan out, no Flask, SQLAlchemy or APScheduler. Two modules
wire it to the app: ``cycle`` (one production cycle: snapshot -> planner -> guarded writes, and the
per-store job it declares for the scheduler in ``store_app.jobs``) and ``cli`` (``flask dispatch``).
"""
