"""Uploaded files: kept on disk only when the unit of work that refers to them commits
(``storage``), photos decoded and re-encoded with Pillow (``photos``), orphans found and removed by
``flask uploads prune`` (``cli``). Knows no domain: each package registers the folders it owns."""
