"""A resident's choice of the optional pushes they get (``quiet_rules.OPTIONAL_KINDS``), one row per
kind they changed. Operations flush, never commit: the caller's ``transaction()`` commits."""
from ..database import upsert
from ..extensions import db
from .models import NotificationPreference
from .quiet_rules import OPTIONAL_KINDS, is_optional


def get_preferences(user_id):
    """``{kind: enabled}`` for every optional kind; a kind never changed is on."""
    saved = dict(db.session.execute(db.select(NotificationPreference.kind, NotificationPreference.enabled)
                                    .where(NotificationPreference.user_id == user_id)).all())
    return {kind: bool(saved.get(kind, True)) for kind in OPTIONAL_KINDS}


def set_preferences(user_id, enabled_kinds, now):
    """Turn on the optional kinds in ``enabled_kinds`` and off the others (unknown names are ignored:
    service notices cannot be turned off). Returns ``{kind: enabled}`` as saved."""
    wanted = {kind: kind in set(enabled_kinds) for kind in OPTIONAL_KINDS}
    table = NotificationPreference.__table__
    for kind, enabled in wanted.items():
        db.session.execute(
            upsert(table).values(user_id=user_id, kind=kind, enabled=enabled, updated_at=now)
            .on_conflict_do_update(index_elements=[table.c.user_id, table.c.kind],
                                   set_={"enabled": enabled, "updated_at": now}))
    return wanted


def users_who_turned_off(user_ids, kind):
    """The ids among ``user_ids`` who turned ``kind`` off (none for a kind that is always on)."""
    if not is_optional(kind) or not user_ids:
        return set()
    ids = list(user_ids)
    found = set()
    for start in range(0, len(ids), 500):  # bounded IN lists
        found.update(db.session.scalars(db.select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_(ids[start:start + 500]), NotificationPreference.kind == kind,
            NotificationPreference.enabled.is_(False))))
    return found


def wants(user_id, kind):
    """True unless ``user_id`` turned the optional ``kind`` off."""
    return user_id not in users_who_turned_off([user_id], kind)
