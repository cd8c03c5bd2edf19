"""Campaigns and segments in the console (staff and the owner): the campaigns, a new one (its
segment previewed with its size), one campaign's page (dry run figures, launch, pause and resume
with the budget, the results against the holdout), and the segments with their sizes and a button
that computes them again. Another store's campaign answers 404."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..web.forms import EmptyForm, choice_list, show_error
from ..web.i18n import localized
from . import campaign_checks, campaigns, coupon_admin, errors, segment_rules, segments
from .console_blueprint import bp, staff_only
from .console_forms import CampaignForm, ResumeForm
from .console_inputs import to_local, to_utc, yuan_cents


def _campaign_or_404(campaign_id):
    try:
        return campaigns.get_campaign(current_user.store_id, campaign_id)
    except errors.CampaignNotFound:
        abort(404)


@bp.get("/console/campaigns")
@staff_only
def campaigns_list():
    """Every campaign of the store: status (and why paused), segment, coupon, budget spent."""
    store_id = current_user.store_id
    coupons = {c.id: c for c in coupon_admin.list_coupons(store_id)}
    return render_template("growth/console/campaigns.html", campaigns=campaigns.list_campaigns(store_id),
                           coupons=coupons, status_labels=campaigns.STATUS_LABELS, segment_names=segments.SEGMENTS,
                           tz=current_user.store.timezone, localized=localized)


def _new_form(form, store_id):
    sizes = segments.segment_sizes(store_id)
    form.segment.choices = choice_list([(key, f"{name} · {_('%(n)d residents', n=sizes[key])}")
                                        for key, name in segments.SEGMENTS.items()])
    form.coupon_id.choices = choice_list([("", _("Choose a coupon"))] + [
        (str(c.id), localized(c, "title")) for c in coupon_admin.list_coupons(store_id) if not c.paused])
    return sizes


@bp.route("/console/campaigns/new", methods=["GET", "POST"])
@staff_only
def new_campaign():
    """A draft campaign: name, segment (with its size), coupon, budget, holdout, window."""
    store, now = current_user.store, utcnow()
    form = CampaignForm()
    sizes = _new_form(form, store.id)
    status = 200
    if not form.is_submitted():
        form.starts_at.data = to_local(now, store.timezone).replace(second=0, microsecond=0)
    else:
        status = 400
        if form.validate_on_submit():
            try:
                with transaction():
                    campaign = campaigns.create_campaign(
                        store.id, name=form.name.data, segment=form.segment.data,
                        coupon_id=int(form.coupon_id.data) if (form.coupon_id.data or "").isdigit() else None,
                        budget_cents=yuan_cents(form, "budget"), holdout_percent=form.holdout_percent.data,
                        starts_at=to_utc(form.starts_at.data, store.timezone, "starts_at"),
                        ends_at=to_utc(form.ends_at.data, store.timezone, "ends_at"), actor_id=current_user.id, now=now)
            except DomainError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                flash(_("Campaign saved as a draft. Run the dry run before launching it."), "success")
                return redirect(url_for("growth_console.campaign", campaign_id=campaign.id), 303)
    return render_template("growth/console/campaign_new.html", form=form, sizes=sizes,
                           segment_names=segments.SEGMENTS, definitions=segments.DEFINITIONS), status


def _campaign_page(campaign, *, resume_form=None, status=200):
    coupon = coupon_admin.get_coupon(campaign.store_id, campaign.coupon_id) if campaign.coupon_id else None
    return render_template(
        "growth/console/campaign.html", campaign=campaign, coupon=coupon, results=campaigns.campaign_results(campaign),
        resume_form=resume_form or ResumeForm(formdata=None), status_labels=campaigns.STATUS_LABELS,
        pause_reasons=campaigns.PAUSE_REASONS, segment_names=segments.SEGMENTS,
        segment_size=segments.segment_sizes(campaign.store_id)[campaign.segment],
        tz=current_user.store.timezone, localized=localized,
        margin_error=campaign_checks.margin_error(campaign.dry_run)), status


@bp.get("/console/campaigns/<int:campaign_id>")
@staff_only
def campaign(campaign_id):
    """One campaign: its terms, the dry run's figures, what it can do now, its results."""
    return _campaign_page(_campaign_or_404(campaign_id))


def _act(campaign_id, action, done_message):
    """Run ``action(campaign, now)`` in a transaction; a refusal comes back on the page with its status."""
    found = _campaign_or_404(campaign_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            result = action(found, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return _campaign_page(_campaign_or_404(campaign_id), status=exc.status)
    flash(done_message(result), "success")
    return redirect(url_for("growth_console.campaign", campaign_id=campaign_id), 303)


@bp.post("/console/campaigns/<int:campaign_id>/dry-run")
@staff_only
def dry_run(campaign_id):
    """Replay the coupon over the last 30 days and check its margin; the figures stay on the page."""
    found = _campaign_or_404(campaign_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        figures = campaign_checks.run_dry_run(found, utcnow())
    problem = campaign_checks.margin_error(figures)
    if problem is not None:
        flash(problem.message, "error")
        return _campaign_page(_campaign_or_404(campaign_id), status=problem.status)
    flash(_("Dry run done: the figures are below."), "success")
    return redirect(url_for("growth_console.campaign", campaign_id=campaign_id), 303)


@bp.post("/console/campaigns/<int:campaign_id>/launch")
@staff_only
def launch(campaign_id):
    """Launch (or launch again for residents new to the segment)."""
    return _act(campaign_id, campaigns.launch_campaign,
                lambda result: _("Launched: %(members)d new members, %(given)d coupons given.",
                                 members=result[0], given=result[1]))


@bp.post("/console/campaigns/<int:campaign_id>/pause")
@staff_only
def pause(campaign_id):
    """Pause a running campaign: its coupons cannot be used while it is paused."""
    return _act(campaign_id, campaigns.pause_campaign, lambda _result: _("The campaign is paused."))


@bp.post("/console/campaigns/<int:campaign_id>/end")
@staff_only
def end(campaign_id):
    """End the campaign for good."""
    return _act(campaign_id, campaigns.end_campaign, lambda _result: _("The campaign has ended."))


@bp.post("/console/campaigns/<int:campaign_id>/resume")
@staff_only
def resume(campaign_id):
    """Resume a paused campaign, with a higher budget when its budget is spent."""
    found = _campaign_or_404(campaign_id)
    form, status = ResumeForm(), 400
    if form.validate_on_submit():
        try:
            with transaction():
                campaigns.resume_campaign(found, utcnow(), budget_cents=yuan_cents(form, "budget"))
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status
        else:
            flash(_("The campaign is running again."), "success")
            return redirect(url_for("growth_console.campaign", campaign_id=campaign_id), 303)
    return _campaign_page(_campaign_or_404(campaign_id), resume_form=form, status=status)


@bp.get("/console/segments")
@staff_only
def segments_page():
    """Every segment: its definition, its size as last computed, and when."""
    store_id = current_user.store_id
    return render_template("growth/console/segments.html", sizes=segments.segment_sizes(store_id),
                           names=segments.SEGMENTS, definitions=segments.DEFINITIONS,
                           computed_at=segments.last_computed_at(store_id), tz=current_user.store.timezone,
                           recent_days=segment_rules.RECENT_DAYS)


@bp.post("/console/segments/recompute")
@staff_only
def recompute_segments():
    """Compute the segments again now (the periodic job does it every hour)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        segments.recompute_segments(current_user.store_id, utcnow())
    flash(_("Segments computed again."), "success")
    return redirect(url_for("growth_console.segments_page"), 303)
