"""The dispatch board's line on the counter's work list: deliveries that may break the promise."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..web.worklist import WorkItem
from .dispatch_board import load_board


def work_items(store, now):
    """Deliveries the dispatcher (or the pessimistic estimate) sees at or past the promise; the oldest
    age is the earliest promise among them."""
    at_risk = load_board(store, now).at_risk
    oldest = min((row.task.promised_at for row in at_risk), default=None)
    return [WorkItem("deliveries:at_risk", _l("Deliveries at risk of being late"), len(at_risk),
                     url_for("dispatch_board.board"), _l("Open the dispatch board"), oldest,
                     urgent=True, order=20)]
