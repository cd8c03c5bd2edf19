"""The hostile-input sweep (``test_hostile_inputs``) over the money, guarantee, review and standing
routes as a vendor, a role the shared sweep has no account for: no 5xx, no traceback, a refusal
writes nothing. The other roles meet these routes in the shared sweep."""
import pytest

from store_app.database import transaction
from store_app.extensions import db
from store_app.stores.models import Store
from tests.conftest import AuthActions
from tests.functional.test_hostile_inputs import sweep, world  # noqa: F401  (the fixture)
from tests.services_support import add_category, add_offering, add_vendor

MINE = ("vendor.money", "vendor.statement_", "vendor.dispute_", "vendor.reply_review", "vendor.standing",
        "vendor.appeal", "services.review", "services.claim", "services.file_claim", "services_console.")


@pytest.fixture
def vendor_world(app, world):
    with app.app_context(), transaction():
        store_id = db.session.scalar(db.select(Store.id).order_by(Store.id))
        category = add_category(store_id)
        vendor = add_vendor(store_id, [category])
        add_offering(vendor, category)
        phone = vendor.phone
    client = app.test_client()
    assert AuthActions(client).login(phone).status_code == 302
    return {**world, "vendor": client}


def test_no_hostile_value_breaks_a_money_route_for_a_vendor(app, vendor_world, caplog, monkeypatch):
    original = app.url_map.iter_rules
    monkeypatch.setattr(app.url_map, "iter_rules", lambda *args: [rule for rule in original(*args)
                                                                  if rule.endpoint.startswith(MINE)])
    problems = sweep(app, vendor_world, caplog, ("vendor",))
    assert problems == [], f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:40])
