"""Pages that refresh themselves: the fragment a page's script fetches every few seconds and swaps in."""
from flask import make_response


def live_fragment(html, marker):
    """A response for ``html`` that is never cached and carries the ``marker`` header: the page's script
    swaps in only a response that has it, never a login page it was redirected to."""
    response = make_response(html)
    response.headers[marker] = "1"
    response.headers["Cache-Control"] = "no-store"
    return response
