"""Where a form may send the browser next: only somewhere on this site."""
from urllib.parse import urlsplit


def safe_next(target, fallback="/"):
    """Only a path on this site: never redirect to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    # Browsers read "/\host" as "//host": refuse backslashes and control characters outright.
    if ("\\" in target or any(ord(ch) < 32 for ch in target) or parts.scheme or parts.netloc
            or not target.startswith("/") or target.startswith("//")):
        return fallback
    return target
