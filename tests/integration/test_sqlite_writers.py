"""A SQLite file database (the embedded default: ``make run`` serves it with threads, gunicorn with
several workers): requests that read, then write, at the same time must wait for each other, never
fail with "database is locked" (a 500 for the resident).

Every view reads ``current_user`` before it writes. With a deferred BEGIN the first SELECT opens a
read snapshot, and once another connection commits, SQLite refuses to upgrade it at once
(SQLITE_BUSY_SNAPSHOT, which ``busy_timeout`` cannot cure); ``BEGIN IMMEDIATE`` makes writers queue."""
import threading
import time

from store_app import create_app
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from tests.conftest import add_shopper, build_shop


def test_residents_who_read_then_write_together_wait_instead_of_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/store.sqlite3"})
    with app.app_context():
        db.create_all()
        people = [add_shopper(shop) for shop in [build_shop()] for _ in range(6)]
    barrier, failures = threading.Barrier(len(people), timeout=30), []

    def log_in(person):
        """What the login view does: read the user, then record the login and commit."""
        barrier.wait()
        with app.app_context():
            try:
                user = db.session.get(User, person.user_id)
                time.sleep(0.05)  # the others read meanwhile
                with transaction():
                    user.last_login_at = utcnow()
            except Exception as exc:  # noqa: BLE001 -- collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=log_in, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        logged_in = db.session.scalar(db.select(db.func.count(User.id))
                                      .where(User.last_login_at.is_not(None)))
        db.engine.dispose()

    assert failures == []
    assert logged_in == len(people)
