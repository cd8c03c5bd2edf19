"""What the kitchen and parents are told about the cutoff, the prep sheet and the pickup: the
messages (one per ``dedupe_key``) and how each reads in the reader's language (``@renderer``)."""
from datetime import date, datetime

from flask_babel import format_date, gettext as _, ngettext

from ..accounts.models import User
from ..database import format_cents
from ..extensions import db
from ..notifications.operations import notify_many
from ..notifications.presenters import renderer
from ..roles import Role
from ..web.filters import local_datetime

KITCHEN_ROLES = (Role.STAFF.value, Role.OWNER.value)


def kitchen_ids(store_id):
    """The store's staff and owners (every one of them may be in the kitchen that morning)."""
    return db.session.scalars(db.select(User.id).where(User.store_id == store_id, User.role.in_(KITCHEN_ROLES),
                                                       User.is_enabled.is_(True)).order_by(User.id)).all()


def tell_kitchen(store_id, day, sheet, now):
    """Every staff member and owner learns that version ``sheet.version`` of the day's sheet is out; the
    sheet records when and to how many it was sent."""
    people = kitchen_ids(store_id)
    params = {"date": day.date.isoformat(), "version": sheet.version, "labels": len(sheet.content["labels"]),
              "changes": len(sheet.changes or [])}
    notify_many([dict(user_id=user_id, store_id=store_id, kind="breakfast_prep_ready",
                      dedupe_key=f"breakfast_prep:{day.id}:{sheet.version}", params=params,
                      link=f"/console/breakfast/kitchen/{day.date.isoformat()}?version={sheet.version}")
                 for user_id in people], now)
    sheet.sent_at = now
    sheet.sent_to = len(people)
    db.session.flush()


def tell_owners_of_code_misses(staff, now):
    """The owners learn, once an hour per staff member, that codes typed at the desk keep missing."""
    owners = db.session.scalars(db.select(User.id).where(User.store_id == staff.store_id,
                                                         User.role == Role.OWNER.value)).all()
    hour = now.strftime("%Y%m%d%H")
    notify_many([dict(user_id=owner_id, store_id=staff.store_id, kind="breakfast_code_misses",
                      dedupe_key=f"breakfast_code_misses:{staff.id}:{hour}", link="/console/breakfast/desk",
                      params={"staff": staff.name}) for owner_id in owners], now)


# ---- how the messages read ------------------------------------------------------------------------

def _day(params):
    value = params.get("date")
    try:
        return format_date(date.fromisoformat(value), "EEE M/d") if value else ""
    except ValueError:
        return value


def _grace(params):
    grace = int(params.get("grace", 0) or 0)
    return ngettext("The store cooks up to %(num)d breakfast on credit when the wallet is short.",
                    "The store cooks up to %(num)d breakfasts on credit when the wallet is short.", grace)


@renderer("breakfast_on_credit")
def _on_credit(params):
    return (_("Breakfast cooked on credit"),
            _("Your wallet did not cover %(child)s's breakfast on %(date)s (%(amount)s): it is cooked on credit "
              "and will be taken from your wallet at the next cutoff after you top up. Breakfasts on credit now: "
              "%(count)s.", child=params.get("child", ""), date=_day(params),
              amount=format_cents(params.get("total_cents", 0)), count=params.get("on_credit", 0))
            + " " + _grace(params))


@renderer("breakfast_not_cooked")
def _not_cooked(params):
    return (_("Breakfast not cooked: wallet short"),
            _("Your wallet did not cover %(child)s's breakfast on %(date)s (%(amount)s), and the breakfasts "
              "already on credit reached the store's limit, so it will not be cooked. Nothing was charged. Top "
              "up your wallet to order again.", child=params.get("child", ""), date=_day(params),
              amount=format_cents(params.get("total_cents", 0)))
            + " " + _grace(params))


@renderer("breakfast_low_balance")
def _low_balance(params):
    return (_("Top up before tonight's breakfast cutoff"),
            _("Your wallet is %(missing)s short of the breakfasts charged at %(cutoff)s for %(date)s "
              "(%(amount)s in all).", missing=format_cents(params.get("missing_cents", 0)),
              cutoff=_clock(params, "cutoff_at"), date=_day(params),
              amount=format_cents(params.get("total_cents", 0)))
            + " " + _grace(params) + " "
            + _("Past that, a breakfast is not cooked."))


@renderer("breakfast_prep_ready")
def _prep_ready(params):
    version = params.get("version", 1)
    if version == 1:
        body = ngettext("The prep sheet for %(date)s is ready: %(num)d breakfast to cook.",
                        "The prep sheet for %(date)s is ready: %(num)d breakfasts to cook.",
                        params.get("labels", 0), date=_day(params))
    else:
        body = ngettext("Version %(version)s of the prep sheet for %(date)s: %(num)d change after the cutoff.",
                        "Version %(version)s of the prep sheet for %(date)s: %(num)d changes after the cutoff.",
                        params.get("changes", 0), version=version, date=_day(params))
    return _("Breakfast prep sheet"), body


@renderer("breakfast_morning")
def _morning(params):
    return (_("Breakfast is ready"),
            _("Breakfast is ready until %(end)s: %(children)s can collect it at the store with the pickup code.",
              end=_clock(params, "end_at"), children=", ".join(params.get("children", []))))


@renderer("breakfast_no_shows")
def _no_shows(params):
    return (_("Pause the breakfast subscription?"),
            ngettext("%(child)s did not collect breakfast %(num)d time this month. Would you like to pause the "
                     "subscription? You can do it on the Breakfast page.",
                     "%(child)s did not collect breakfast %(num)d times this month. Would you like to pause the "
                     "subscription? You can do it on the Breakfast page.",
                     params.get("count", 3), child=params.get("child", "")))


@renderer("breakfast_code_misses")
def _code_misses(params):
    return (_("Breakfast codes that match nothing"),
            _("At the breakfast desk, %(staff)s typed many codes that match no breakfast; code entry is paused "
              "for a while. If nobody at the desk was guessing, nothing needs doing.", staff=params.get("staff", "")))


def _clock(params, key):
    value = params.get(key)
    if not value:
        return ""
    return local_datetime(datetime.fromisoformat(value), params.get("tz") or "Asia/Shanghai", "HH:mm")
