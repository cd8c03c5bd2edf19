"""The community gazetteer: the buildings a store serves."""
from sqlalchemy.ext.hybrid import hybrid_property

from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..web.i18n import localized


class NamedInTwoLanguages:
    """A thing staff name in Chinese and English (``name_zh``, ``name_en``, one may be empty)."""

    @hybrid_property
    def name(self):
        """The name in the page's language, else in the other one. In a query: the Chinese name, else
        the English one (so ``Model.name == ...`` and ``order_by(Model.name)`` still mean something)."""
        return localized(self, "name")

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return db.func.coalesce(db.func.nullif(cls.name_zh, ""), cls.name_en)


class Building(NamedInTwoLanguages, db.Model):
    """A residential or office building; residents add a unit/room as free text."""

    __tablename__ = "buildings"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    # The building's name per language; one of them may be empty (``localized`` falls back).
    name_zh = db.Column(db.String(120), nullable=False, default="", server_default="")
    name_en = db.Column(db.String(120), nullable=False, default="", server_default="")
    # Other names residents use ("3号楼", "Building 3"), one per line.
    aliases = db.Column(db.Text, nullable=False, default="")
    # Lower-cased name and aliases, searched with LIKE; kept in step by ``set_names``.
    search_text = db.Column(db.Text, nullable=False, default="")
    lat = db.Column(db.Float, nullable=False)
    lon = db.Column(db.Float, nullable=False)
    entrance_note = db.Column(db.String(255), nullable=False, default="")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="location_valid"),
    )

    def alias_list(self):
        """The aliases as a list, in the order they were entered."""
        return [a for a in (self.aliases or "").splitlines() if a.strip()]

    def set_names(self, name_zh, aliases, name_en=""):
        """Set both names and the aliases and refresh the search text (it finds either language)."""
        clean = [a.strip() for a in aliases if a and a.strip()]
        self.name_zh, self.name_en = (name_zh or "").strip(), (name_en or "").strip()
        self.aliases = "\n".join(clean)
        self.search_text = "\n".join([n for n in (self.name_zh, self.name_en) if n] + clean).lower()

    def to_json(self):
        """The building as the JSON API shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "aliases": self.alias_list(),
            "lat": self.lat,
            "lon": self.lon,
            "entrance_note": self.entrance_note,
        }

    def __repr__(self):
        return f"<Building {self.id} {self.name_zh or self.name_en!r}>"


class DeliveryZone(NamedInTwoLanguages, db.Model):
    """A polygon the store delivers to, with its fee and minimum order.

    A point exactly on the boundary counts as inside (shapely ``covers``). Where zones overlap,
    the highest ``priority`` wins, then the smallest id.
    """

    __tablename__ = "delivery_zones"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    # The zone's name per language; one of them may be empty (``localized`` falls back).
    name_zh = db.Column(db.String(80), nullable=False, default="", server_default="")
    name_en = db.Column(db.String(80), nullable=False, default="", server_default="")
    # A GeoJSON Polygon geometry: coordinates are [lon, lat] as GeoJSON requires.
    geojson = db.Column(db.Text, nullable=False)
    fee_cents = db.Column(db.Integer, nullable=False, default=0)
    minimum_cents = db.Column(db.Integer, nullable=False, default=0)
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    priority = db.Column(db.Integer, nullable=False, default=0)
    # Optional daily delivery hours in minutes after local midnight; both null = the store's hours.
    opens_min = db.Column(db.Integer, nullable=True)
    closes_min = db.Column(db.Integer, nullable=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        db.CheckConstraint("fee_cents >= 0 AND minimum_cents >= 0", name="money_not_negative"),
    )
