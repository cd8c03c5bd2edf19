"""Replaying a day of orders through a dispatch policy with a simulated clock, and scoring it.

``mdrp`` loads MDRP instances (and writes them), ``store_day`` makes a synthetic day for one store,
``engine`` runs the clock, ``solution`` writes the MDRP solution files and the summary, ``feasibility``
checks a solution against the evaluator's rules, ``runner`` ties them together for the CLI and the bench.
"""
