"""The log of periodic job runs. What runs when is registered in ``dispatch/registry.py``; the
scheduler process (``flask dispatch scheduler``) runs them; web workers never do."""
