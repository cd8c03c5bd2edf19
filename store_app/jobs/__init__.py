"""Periodic jobs: one registry of what runs when, and a log of every run.

The scheduler process (``flask dispatch scheduler``) runs them; web workers never do.
"""
