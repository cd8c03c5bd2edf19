"""Every model, imported in one place so the metadata (and Alembic) sees the whole schema."""
from .accounts.models import Address, Role, User  # noqa: F401
from .geo.models import Building  # noqa: F401
from .stores.models import Store, StoreHours  # noqa: F401
