"""The periodic-job registry (``store_app/jobs/registry.py``): what the scheduler runs and who declares it.

The app's own domains register their providers in ``create_app`` (the parcel station's ladder per
store, the outbox); the dispatcher, which store_app may not import, comes through the
``community_store.periodic_jobs`` entry point. ``periodic_jobs(app)`` collects them all, sorted by
name, and refuses a name declared twice. Creating the app calls no provider: only the scheduler does.
"""
import pytest
from flask import Flask

from store_app import create_app
from store_app.database import transaction
from store_app.extensions import db
from store_app.jobs import registry
from store_app.jobs.registry import ENTRY_POINT_GROUP, DuplicateJobName, PeriodicJob, periodic_jobs, register
from store_app.stores.models import Store
from tests.conftest import build_shop


class FakeEntryPoint:
    """What ``importlib.metadata.entry_points`` yields, as far as the registry reads it."""

    def __init__(self, name, provider):
        self.name, self.value, self._provider = name, f"{provider.__module__}:{provider.__qualname__}", provider

    def load(self):
        return self._provider


def use_entry_points(monkeypatch, *points):
    """Make the installed entry points of the group exactly ``points`` (other groups: none)."""
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: list(points) if group == ENTRY_POINT_GROUP else [])


def tick(now):
    return "tick"


def test_registry_collects_app_registered_and_entry_point_providers(monkeypatch):
    app = Flask(__name__)
    register(app, lambda: [PeriodicJob("b:own", tick, 60), PeriodicJob("a:own", tick, 5)])
    register(app, lambda: iter([PeriodicJob("d:own", tick, 1)]))  # any iterable
    use_entry_points(monkeypatch, FakeEntryPoint("outside", lambda: [PeriodicJob("c:outside", tick, 30)]))

    jobs = periodic_jobs(app)

    assert [(job.name, job.interval_s) for job in jobs] == [("a:own", 5), ("b:own", 60), ("c:outside", 30),
                                                            ("d:own", 1)]
    assert all(job.fn is tick for job in jobs)
    assert periodic_jobs(Flask(__name__)) == [PeriodicJob("c:outside", tick, 30)], \
        "providers registered on one app are that app's own"


@pytest.mark.parametrize("where", ["app-and-entry-point", "two-app-providers"])
def test_a_job_name_declared_twice_is_refused(monkeypatch, where):
    app = Flask(__name__)

    def parcels_jobs():
        return [PeriodicJob("outbox", tick, 15), PeriodicJob("parcels:ladder:1", tick, 300)]

    def other_jobs():
        return [PeriodicJob("outbox", tick, 60)]

    register(app, parcels_jobs)
    if where == "app-and-entry-point":
        use_entry_points(monkeypatch, FakeEntryPoint("other", other_jobs))
    else:
        use_entry_points(monkeypatch)
        register(app, other_jobs)

    with pytest.raises(DuplicateJobName) as refused:
        periodic_jobs(app)

    message = str(refused.value)
    assert "'outbox'" in message and "parcels_jobs" in message and "other_jobs" in message, message


def test_the_same_provider_registered_twice_is_refused(monkeypatch):
    app = Flask(__name__)
    use_entry_points(monkeypatch)

    def provider():
        return [PeriodicJob("outbox", tick, 15)]

    register(app, provider)
    register(app, provider)
    with pytest.raises(DuplicateJobName):
        periodic_jobs(app)


def test_the_installed_package_names_the_dispatcher_under_the_entry_point_group():
    points = list(registry.entry_points(group=ENTRY_POINT_GROUP))
    assert [(point.name, point.value) for point in points] == [("dispatch", "dispatch.cycle:periodic_jobs")], \
        "reinstall (make setup) after changing setup.cfg's entry points"


def test_the_app_runs_each_domains_jobs_and_the_dispatchers_per_store(app, app_ctx):
    first = build_shop(couriers=0)
    second = build_shop(name="Second Store", couriers=0, lat=31.3, lon=121.5)
    with transaction():
        db.session.execute(db.update(Store).where(Store.id == second.store_id).values(dispatch_interval_s=45))
    a, b = first.store_id, second.store_id

    jobs = periodic_jobs(app)

    assert [(job.name, job.interval_s) for job in jobs] == sorted([
        (f"dispatch:{a}", 30), (f"dispatch:{b}", 45), (f"growth:coupon_expiry:{a}", 300), (f"growth:coupon_expiry:{b}", 300), ("growth:pushes", 60),
        (f"growth:segments:{a}", 3600), (f"growth:segments:{b}", 3600), ("outbox", 15),
        (f"parcels:ladder:{a}", 300), (f"parcels:ladder:{b}", 300),
        *((f"breakfast:{job}:{store}", 60) for store in (a, b)
          for job in ("freeze", "low_balance", "morning", "pickup_end", "waitlist")),
        (f"breakfast:open:{a}", 300), (f"breakfast:open:{b}", 300),
        *((f"growth:tiers:{store}", 3600) for store in (a, b)),
        *((f"growth:referrals:{store}", 600) for store in (a, b)),
        *((f"services:holds:{store}", 60) for store in (a, b)),
        *((f"services:offers:{store}", 45) for store in (a, b)),
        *((f"services:progress:{store}", 60) for store in (a, b)),
        (f"services:reputation:{a}", 600), (f"services:reputation:{b}", 600),
        *((f"reports:rollup:{store}", 600) for store in (a, b)),
        *((f"reports:rollup-month:{store}", 21600) for store in (a, b))])
    sources = [source for source, _ in registry.list_providers(app)]
    assert sources == ["services.jobs.periodic_jobs", "store_app.notifications.jobs.periodic_jobs", "store_app.parcels.jobs.periodic_jobs",
                       "store_app.breakfast.jobs.periodic_jobs", "store_app.growth.jobs.periodic_jobs",
                       "store_app.reports.jobs.periodic_jobs", "entry point dispatch (dispatch.cycle:periodic_jobs)"]


def test_creating_the_app_calls_no_provider(app, monkeypatch):
    from store_app.parcels import jobs as parcel_jobs

    calls = []
    real = parcel_jobs.periodic_jobs
    monkeypatch.setattr(parcel_jobs, "periodic_jobs", lambda: calls.append("called") or real())

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    assert calls == [], "create_app is wiring only: the scheduler calls the providers"
    with fresh.app_context():
        periodic_jobs(fresh)
        db.session.remove()
        db.engine.dispose()
    assert calls == ["called"]
