"""The store wallet: a ledger per resident."""
