"""Reads for the boards (the console home, the owner's dashboard). Read-only."""
from ..accounts.models import User
from ..extensions import db
from ..geo.models import Building


def load_overview(store_id):
    """Counts for the console and dashboard: residents, team by role, buildings."""
    by_role = dict(db.session.execute(
        db.select(User.role, db.func.count()).where(User.store_id == store_id).group_by(User.role)).all())
    buildings = db.session.scalar(db.select(db.func.count()).select_from(Building)
                                  .where(Building.store_id == store_id))
    return {"by_role": by_role, "buildings": buildings}
