"""The courier dispatcher.

The core (``model``, ``geo``, ``routes``, ``bundling``, ``planner``, ``baselines`` and ``sim/``) is pure:
plain frozen dataclasses and ``now`` in, a plan out, no Flask, SQLAlchemy or APScheduler. The entry
points (``cli``, ``jobs``, ``scheduler``) wire it to the app.
"""
