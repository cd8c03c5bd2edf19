"""The owner's staffing page: how many couriers each hour keeps the promise on the busiest day."""
from flask import Blueprint, render_template
from flask_login import current_user

from dispatch.sim.staffing import MAX_WAITING

from ..database import utcnow
from ..roles import Role
from ..web.guards import role_required
from . import operations
from .chart import build_chart
from .forms import StaffingForm
from .rules import clock_label, hour_label, percent

bp = Blueprint("staffing", __name__)


@bp.route("/owner/staffing", methods=["GET", "POST"])
@role_required(Role.OWNER)
def page():
    """The question as a form; on a valid submit, the store's busiest matching day replayed."""
    store = current_user.store
    form = StaffingForm()
    result, chart, status = None, None, 200
    if form.validate_on_submit():
        result = operations.plan_staffing(
            store, weekday=form.weekday.data, from_hour=form.from_hour.data, to_hour=form.to_hour.data,
            target_share=form.target_share(), weeks=form.weeks.data, couriers=form.courier_counts(),
            now=utcnow())
        if result.recommendation is not None:
            rows = result.recommendation.replay.hours
            chart = build_chart([h.hour for h in rows], [h.orders for h in rows],
                                result.recommendation.couriers, result.yours.couriers if result.yours else None)
    elif form.is_submitted():
        status = 400
    return render_template("staffing/page.html", form=form, store=store, result=result, chart=chart,
                           hour_label=hour_label, clock_label=clock_label, percent=percent,
                           max_waiting=MAX_WAITING), status
