"""Operations drills on PostgreSQL: a scheduler leader paused or stuck, the database restarted under a
serving web app, a gunicorn worker killed in the middle of a checkout.

Every process is started here and ended by its pid: the scheduler copies (``flask jobs scheduler`` on
``tests.concurrency.drill_app``), gunicorn in the production configuration, and a private PostgreSQL
cluster (``initdb`` into a temporary directory, ``pg_ctl`` on a free port) that the restart drill may
stop and start without touching the shared server. The paused-leader and stuck-job drills share one
pair of schedulers on one database, the restart and checkout drills one gunicorn on another
(starting Python processes is most of a drill's time); each drill starts from whichever copy leads
and reads only the events after its start. Intervals are short (dispatch every
``DISPATCH_INTERVAL_S``, a lease of ``LEASE_TTL_S``).

What is asserted is the order of events in the database (job-run log with lease epochs, drill marks,
order events), never how fast: every wait is bounded by a generous deadline that only turns a hang
into a failure. The one bound that is the issue's own ("a standby runs the next due job within two
intervals") is the deadline for the standby's run record. The measured times are printed and
appended to ``$DRILL_REPORT`` when set; the README quotes them.

Needs TEST_DATABASE_URL (as every PostgreSQL test: skipped locally without it, a failure in CI) and
the PostgreSQL server binaries (``/usr/lib/postgresql/*/bin``).
"""
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from glob import glob
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from store_app import create_app
from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.deliveries.models import CourierShift
from store_app.extensions import db
from store_app.fulfilment import moves
from store_app.orders.models import Order, OrderStatus
from store_app.stores.models import Store
from tests.concurrency.drill_app import DRILL_TABLES
from tests.conftest import PASSWORD, PG_URL, add_shopper, build_shop, fill_cart, place_test_order, skip_or_fail

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DRILL_APP = "tests.concurrency.drill_app:create_drill_app()"
DISPATCH_INTERVAL_S = 2
LEASE_TTL_S = 1.5
# The scheduler's PostgreSQL timeouts in the drills: a paused leader's open transaction is ended
# after IDLE_S, a standby waits LOCK_S at most for a row lock.
IDLE_S, LOCK_S = 1.5, 0.5
TAKEOVER_DEADLINE_S = 2 * DISPATCH_INTERVAL_S + 20  # two intervals, and slack for a loaded machine
DEADLINE_S = 60  # every other wait: bounds a failure only
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, message, timeout=DEADLINE_S):
    """Poll ``predicate`` until it is truthy (its value) or fail with ``message()`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(message())


def phase(name, started=time.monotonic()):
    """Print how far into the run a drill's phase is (seen with ``-s``; helps read a slow run)."""
    print(f"[{time.monotonic() - started:7.1f} s] {name}", flush=True)


def report(name, **numbers):
    """Print a drill's measurements and append them to ``$DRILL_REPORT`` (JSON lines) when set."""
    line = json.dumps({"drill": name, **{k: round(v, 2) for k, v in numbers.items()}})
    print(line)
    if os.environ.get("DRILL_REPORT"):
        with open(os.environ["DRILL_REPORT"], "a") as out:
            out.write(line + "\n")


# ---- a private PostgreSQL cluster ----------------------------------------------------------------

class Cluster:
    """``initdb`` into a temporary directory, ``pg_ctl`` on a free port; trust authentication on
    127.0.0.1 only. Run as ``postgres`` when we are root (the server refuses to run as root)."""

    def __init__(self, bindir):
        self.bindir = Path(bindir)
        self.root = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o755)

    def _run(self, *argv):
        subprocess.run([*self.as_postgres, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                       timeout=120)

    def init(self):
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync", "--locale=C")

    def start(self):
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")

    def stop(self, mode="fast"):
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def postmaster_pid(self):
        pid_file = self.data / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def url(self, database="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        admin = create_engine(self.url().replace("postgresql://", "postgresql+psycopg://"), poolclass=NullPool,
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def destroy(self):
        pid = self.postmaster_pid()
        if pid is not None:
            try:
                self.stop("immediate")
            except subprocess.SubprocessError:
                os.kill(pid, signal.SIGKILL)  # the postmaster we started, by its pid
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    if not PG_URL:
        skip_or_fail("the drills run with the PostgreSQL tests: set TEST_DATABASE_URL")
    binaries = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not binaries:
        skip_or_fail("the drills need the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    cluster = Cluster(Path(binaries[-1]).parent)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


class Drill:
    """One drill's database in the private cluster (schema, drill tables, an app to read and write
    it from the test) and the processes it starts, each ended by its pid."""

    def __init__(self, cluster, name, logs):
        self.cluster, self.logs = cluster, logs
        self.env_url = cluster.create_database(name)
        self.url = self.env_url.replace("postgresql://", "postgresql+psycopg://")
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url})
        with self.app.app_context():
            db.create_all()
            with transaction():
                for statement in DRILL_TABLES:
                    db.session.execute(text(statement))
        self.engine = create_engine(self.url, poolclass=NullPool)
        self.processes = []
        self.env_of = {}  # pid -> the environment it was started with

    def env(self, **extra):
        instance = self.logs / "instance"
        instance.mkdir(exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.env_url, "STORE_ENV": "production",
               "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_SINGLE_PROCESS": "1",
               "STORE_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1",
               "SCHEDULER_LEASE_TTL_S": str(LEASE_TTL_S), "SCHEDULER_LOCK_TIMEOUT_S": str(LOCK_S),
               "SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S": str(IDLE_S), "SCHEDULER_STATEMENT_TIMEOUT_S": "10"}
        for key in ("TEST_DATABASE_URL", "TEST_DATABASE_URI", "FLASK_APP"):
            env.pop(key, None)
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self, name, argv, **env):
        out = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 -- closed in stop_all
        env = self.env(**env)
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.env_of[proc.pid] = env
        proc.name, proc.out = name, out
        self.processes.append(proc)
        return proc

    def scheduler(self, name, **env):
        proc = self.start(name, [sys.executable, "-m", "flask", "--app", DRILL_APP, "jobs", "scheduler"], **env)
        proc.runner = f"{socket.gethostname()}:{proc.pid}"
        return proc

    def output(self, proc, after=0):
        """What ``proc`` printed (from character ``after`` on)."""
        return (self.logs / f"{proc.name}.log").read_text(errors="replace")[after:]

    def all_output(self):
        return "\n".join(f"--- {p.name} ({p.pid})\n{self.output(p)[-2500:]}" for p in self.processes)

    def stop(self, *procs):
        """End ``procs`` (all of ours by default), each by its pid: SIGTERM, SIGKILL if it lingers."""
        procs = procs or tuple(self.processes)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a paused one must be able to hear the next signal
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
            proc.out.close()
            self.processes.remove(proc)

    def stop_all(self):
        self.stop()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        self.engine.dispose()

    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def runs(self, job=None, after=0):
        """The job-run log in id order (ids above ``after``): ``(id, job, runner, epoch, started_at, ...)``."""
        rows = self.rows("SELECT id, job, runner, epoch, started_at, duration_ms, status FROM job_runs "
                         "WHERE id > :after ORDER BY id", after=after)
        return [row for row in rows if job in (None, row.job)]

    def marks(self, after=0):
        return self.rows("SELECT id, token, job, runner, epoch FROM drill_marks WHERE id > :after ORDER BY id",
                         after=after)

    def last_ids(self):
        """``(last job-run id, last mark id)``: where a drill's own events begin."""
        return (self.rows("SELECT coalesce(max(id), 0) AS n FROM job_runs")[0].n,
                self.rows("SELECT coalesce(max(id), 0) AS n FROM drill_marks")[0].n)

    def lease(self):
        found = self.rows("SELECT holder, epoch, acquired_at, expires_at FROM scheduler_leases "
                          "WHERE name = 'scheduler'")
        return found[0] if found else None


def leads(drill, proc):
    """True when the lease row names ``proc`` (holder ``host:pid:token``)."""
    lease = drill.lease()
    return lease is not None and lease.holder.split(":")[1] == str(proc.pid)


def blocks(rows):
    """The runners of ``rows`` in order, as blocks: ``[runner, ...]`` with repeats folded."""
    found = []
    for row in rows:
        if not found or found[-1] != row.runner:
            found.append(row.runner)
    return found


def assert_epochs_never_go_back(rows):
    """In commit order (ids), epochs only grow and each epoch has one runner."""
    epochs = [row.epoch for row in rows]
    assert epochs == sorted(epochs), [(r.id, r.runner, r.epoch) for r in rows]
    runners = {}
    for row in rows:
        assert runners.setdefault(row.epoch, row.runner) == row.runner, (row, runners)


# ---- a store with orders to dispatch -----------------------------------------------------------------

def build_world(drill):
    """A store dispatched every ``DISPATCH_INTERVAL_S``, two couriers with room for every order, and a
    resident with money for many orders; returns ``(shop, shopper)``."""
    with drill.app.app_context():
        # A promise of a day: however many orders wait, the quote never refuses one.
        shop = build_shop(stock=100_000, couriers=2, promise_minutes=24 * 60)
        shopper = add_shopper(shop, balance_cents=10_000_000)
        with transaction():
            db.session.get(Store, shop.store_id).dispatch_interval_s = DISPATCH_INTERVAL_S
            db.session.execute(db.update(CourierShift).values(capacity=1000, lat=31.2, lon=121.4))
        db.session.remove()
    return shop, shopper


class Feeder(threading.Thread):
    """Places an order and makes it ready, again and again, until stopped, and has the couriers deliver
    what was assigned to them: the dispatcher always has work and couriers with room for it."""

    def __init__(self, drill, shop, shopper):
        super().__init__(daemon=True)
        self.drill, self.shop, self.shopper = drill, shop, shopper
        self.stopped = threading.Event()
        self.placed = 0

    def run(self):
        with self.drill.app.app_context():
            while not self.stopped.is_set():
                order_id = place_test_order(self.shopper, {self.shop.products["water"]: 1})
                with transaction():
                    order = db.session.get(Order, order_id)
                    for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
                        moves.move(order, target, actor_id=None, now=utcnow())
                self.deliver_assigned()
                db.session.remove()
                self.placed += 1
                self.stopped.wait(0.3)

    def deliver_assigned(self):
        for order_id in db.session.scalars(db.select(Order.id).where(Order.status == OrderStatus.ASSIGNED.value)):
            try:
                with transaction():
                    order = db.session.get(Order, order_id)
                    for target in (OrderStatus.PICKED_UP, OrderStatus.DELIVERED):
                        moves.move(order, target, actor_id=None, now=utcnow())
            except DomainError:
                pass  # moved meanwhile: delivered on a later round

    def stop(self):
        self.stopped.set()
        self.join(DEADLINE_S)


def assigned_since(drill, at):
    """How many orders were assigned after ``at``."""
    return drill.rows("SELECT count(*) AS n FROM order_events WHERE status = 'assigned' AND at > :t", t=at)[0].n


def assert_no_task_assigned_twice(drill):
    """Every order was assigned at most once (one ``assigned`` event), and every task with a courier
    belongs to an order assigned exactly once, to that same courier."""
    twice = drill.rows("SELECT order_id, count(*) FROM order_events WHERE status = 'assigned' "
                       "GROUP BY order_id HAVING count(*) > 1")
    assert twice == [], f"orders assigned more than once: {twice}"
    mismatched = drill.rows(
        "SELECT t.id FROM delivery_tasks t JOIN orders o ON o.id = t.order_id WHERE t.courier_id IS NOT NULL "
        "AND (o.courier_id IS DISTINCT FROM t.courier_id OR (SELECT count(*) FROM order_events e "
        "WHERE e.order_id = o.id AND e.status = 'assigned') <> 1)")
    assert mismatched == [], f"tasks whose assignment disagrees with their order: {mismatched}"


def new_drill(cluster, tmp_path_factory, name):
    return Drill(cluster, f"{name}_{secrets.token_hex(3)}", tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def leaders(cluster, tmp_path_factory):
    """Two scheduler copies on a store with orders, shared by the paused-leader and stuck-job drills
    (starting Python processes is most of a drill's time): both run dispatch, ``drill:mark`` (holding
    its transaction 0.6 s) and ``drill:stuck`` (each copy with a stuck file of its own). Each drill
    starts from whichever copy leads and reads only the events after its start."""
    drill = new_drill(cluster, tmp_path_factory, "leaders")
    try:
        drill.shop, drill.shopper = build_world(drill)
        env = {"DRILL_JOBS": "mark,stuck", "DRILL_HOLD_S": "0.6", "DRILL_STUCK_LIMIT_S": 2}
        drill.pair = [drill.scheduler(f"scheduler-{name}", **env, DRILL_STUCK_FILE=drill.logs / f"stuck-{name}")
                      for name in ("a", "b")]
        yield drill
    finally:
        drill.stop_all()


def current_pair(drill):
    """``(leader, standby)`` of ``drill.pair``, once both are up and one of them holds the lease."""
    def settled():
        if any(p.poll() is not None for p in drill.pair):
            return "exited"
        up = all("it works while it holds the lease" in drill.output(p) for p in drill.pair)
        return up and next((p for p in drill.pair if leads(drill, p)), None)

    leader = wait_for(settled, lambda: "the schedulers are not both up:\n" + drill.all_output())
    assert leader != "exited", drill.all_output()
    return leader, next(p for p in drill.pair if p is not leader)


# ---- gunicorn and an HTTP client ------------------------------------------------------------------------------

def start_gunicorn(drill, workers=1):
    """gunicorn serving ``wsgi:app`` (production) on a free port, once a worker answers a request."""
    port = free_port()
    proc = drill.start("gunicorn", [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--workers", str(workers),
                                    "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                                    "--graceful-timeout", "5", "wsgi:app"])
    proc.port = port
    probe = Browser(port)
    wait_for(lambda: proc.poll() is not None or probe.status_of("/login") is not None,
             lambda: "gunicorn did not answer:\n" + drill.all_output())
    assert proc.poll() is None, drill.all_output()
    return proc


class Browser:
    """A cookie-keeping HTTP client (one connection a request)."""

    def __init__(self, port, language="zh"):
        self.port, self.cookies, self.language = port, {}, language

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            sent = {"Accept-Language": self.language, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            for header in response.msg.get_all("Set-Cookie") or ():
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()

    def status_of(self, path, timeout=5):
        """The status of ``GET path``, or None while nothing answers (a worker still starting)."""
        try:
            return self.request("GET", path, timeout=timeout)[0]
        except (OSError, http.client.HTTPException):
            return None

    def post_form(self, path, fields, timeout=30):
        return self.request("POST", path, urlencode(fields, doseq=True),
                            {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)

    def login(self, phone):
        status, _headers, page = self.request("GET", "/login")
        assert status == 200, page[:300]
        token = CSRF_META.search(page).group(1)
        status, _headers, page = self.post_form("/login", {"csrf_token": token, "phone": phone, "password": PASSWORD})
        assert status == 302, (status, page[:500])


# ---- the database restarted under the web app and the scheduler -------------------------------------

@pytest.fixture(scope="module")
def web(cluster, tmp_path_factory):
    """gunicorn (production) on a store's database, shared by the restart and checkout drills."""
    drill = new_drill(cluster, tmp_path_factory, "web")
    try:
        drill.shop, drill.shopper = build_world(drill)
        drill.gunicorn = start_gunicorn(drill)
        yield drill
    finally:
        drill.stop_all()


def test_database_restart_answers_503_meanwhile_and_both_recover_on_their_own(cluster, web):
    drill, shop = web, web.shop
    job = f"dispatch:{shop.store_id}"
    scheduler = drill.scheduler("scheduler")
    web = drill.gunicorn
    browser, english = Browser(web.port, "zh"), Browser(web.port, "en")
    try:
        wait_for(lambda: browser.status_of("/") == 200, lambda: "the home page never answered")
        wait_for(lambda: drill.runs(job), lambda: "the scheduler never ran:\n" + drill.all_output())

        epoch_before = max(r.epoch for r in drill.runs(job))
        cluster.stop("fast")
        down_at = datetime.now(timezone.utc)
        status, headers, page = browser.request("GET", "/")
        assert status == 503 and headers.get("Retry-After") == "5", (status, page[:500])
        assert "系统正在短暂维护" in page and "briefly unavailable" not in page
        status, headers, page = english.request("GET", "/")
        assert status == 503 and "The store is briefly unavailable." in page and "系统" not in page
        status, headers, body = english.request("GET", "/api/v1/stores")
        assert status == 503 and headers.get("Retry-After") == "5"
        assert json.loads(body) == {"error": "The store is briefly unavailable. Please try again in a moment.",
                                    "status": 503}
        # The scheduler notices too: its heartbeat cannot renew, and it stands down.
        wait_for(lambda: "cannot renew" in drill.output(scheduler),
                 lambda: "the scheduler never noticed the outage:\n" + drill.all_output())
        outage_s = (datetime.now(timezone.utc) - down_at).total_seconds()

        cluster.start()
        up_at = datetime.now(timezone.utc)
        wait_for(lambda: browser.status_of("/") == 200, lambda: "the web app never recovered:\n" + drill.all_output())
        web_back_s = (datetime.now(timezone.utc) - up_at).total_seconds()
        status, _headers, body = english.request("GET", "/api/v1/stores")
        assert status == 200 and json.loads(body)[0]["id"] == shop.store_id
        again = wait_for(lambda: next((r for r in drill.runs(job) if r.started_at > up_at), None),
                         lambda: "the scheduler never ran again:\n" + drill.all_output())
        # Neither was restarted: the same processes serve and schedule.
        assert web.poll() is None and scheduler.poll() is None, drill.all_output()
        assert again.runner == scheduler.runner and again.epoch > epoch_before  # it took the lease again
    finally:
        drill.stop(scheduler)
    # Stopped by SIGTERM, it gave the lease back rather than leaving it to lapse.
    assert "lease scheduler released by" in drill.output(scheduler), drill.output(scheduler)[-2000:]
    report("database restart", outage_s=outage_s, web_back_s=web_back_s,
           scheduler_back_s=(again.started_at - up_at).total_seconds())


# ---- a gunicorn worker killed in the middle of a checkout --------------------------------------------

def worker_pids(master):
    """The gunicorn master's worker processes (its children)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_worker_killed_mid_checkout_leaves_no_half_order_and_a_retry_gives_one(web):
    drill, shop = web, web.shop
    water = shop.products["water"]
    with drill.app.app_context():
        shopper = add_shopper(shop, balance_cents=100_000)
        fill_cart(shopper.user_id, {water: 2})
        db.session.remove()
    web = drill.gunicorn
    browser = Browser(web.port, "en")
    browser.login(shopper.phone)
    status, _headers, page = browser.request("GET", "/checkout")
    assert status == 200, page[:500]
    fields = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
              for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
    fields.update(address_id=str(shopper.address_id), payment_method="wallet", note="", slot="")
    key = fields["idempotency_key"]
    before = drill.rows("SELECT (SELECT stock FROM products WHERE id = :p) AS stock, "
                        "(SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM wallet_entries) AS entries",
                        p=water)[0]

    # Hold the product's row: the worker's checkout claims the key, then waits for it inside its transaction.
    blocker = drill.engine.connect()
    blocker.begin()
    blocker.execute(text("SELECT id FROM products WHERE id = :p FOR UPDATE"), {"p": water})
    answers = []
    poster = threading.Thread(target=lambda: answers.append(_post_or_error(browser, fields)), daemon=True)
    poster.start()
    try:
        waiting = wait_for(lambda: drill.rows(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'UPDATE products%'"),
            lambda: "the checkout never reached the stock claim:\n" + drill.all_output())
        (backend,) = [row.pid for row in waiting]
        (worker,) = worker_pids(web)
        os.kill(worker, signal.SIGKILL)  # the worker we started (gunicorn's child), mid-transaction
        killed_at = time.monotonic()
        poster.join(DEADLINE_S)
        assert answers and answers[0][0] != 303, answers  # the client got no order
    finally:
        blocker.rollback()
        blocker.close()
    # The killed worker's backend finds its client gone and rolls back.
    wait_for(lambda: not drill.rows("SELECT pid FROM pg_stat_activity WHERE pid = :b", b=backend),
             lambda: "the killed worker's transaction is still open")
    after = drill.rows("SELECT (SELECT stock FROM products WHERE id = :p) AS stock, "
                       "(SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM wallet_entries) AS entries",
                       p=water)[0]
    assert after == before, "a half order was left behind"

    # gunicorn replaced the worker; the same form (same key) gives one order, and once more the same one.
    wait_for(lambda: worker_pids(web) and worker_pids(web) != [worker], lambda: "gunicorn did not replace the worker")
    status, headers, _page = _post_or_error(browser, fields)
    assert status == 303, (status, _page[:500])
    status_again, headers_again, _page = _post_or_error(browser, fields)
    assert status_again == 303 and headers_again["Location"] == headers["Location"]
    orders = drill.rows("SELECT id, status FROM orders WHERE idempotency_key = :k", k=key)
    assert len(orders) == 1 and orders[0].status == "placed"
    final = drill.rows("SELECT (SELECT stock FROM products WHERE id = :p) AS stock, "
                       "(SELECT count(*) FROM order_items) AS items", p=water)[0]
    assert (final.stock, final.items) == (before.stock - 2, 1)
    assert web.poll() is None
    report("worker killed mid-checkout", replacement_served_retry_s=time.monotonic() - killed_at)


def _post_or_error(browser, fields):
    try:
        return browser.post_form("/checkout", fields, timeout=DEADLINE_S)
    except (OSError, http.client.HTTPException) as exc:
        return (type(exc).__name__, {}, str(exc))


# ---- the paused leader ------------------------------------------------------------------------

def test_paused_leader_a_standby_takes_over_and_the_old_leader_writes_nothing(leaders):
    drill = leaders
    job = f"dispatch:{drill.shop.store_id}"
    leader, standby = current_pair(drill)
    since_run, since_mark = drill.last_ids()
    offset = len(drill.output(leader))
    phase("paused: schedulers up")
    feeder = Feeder(drill, drill.shop, drill.shopper)
    feeder.start()
    try:
        wait_for(lambda: any(r.runner == leader.runner for r in drill.runs(job, since_run)),
                 lambda: "the leader did not dispatch:\n" + drill.all_output())
        # Pause the leader inside its marking transaction: it holds the drill_counter row's lock.
        seen = drill.output(leader).count("holding ")
        wait_for(lambda: drill.output(leader).count("holding ") > seen,
                 lambda: "the leader never held its marking transaction:\n" + drill.all_output())
        leader.send_signal(signal.SIGSTOP)
        phase("paused: leader stopped")
        stopped_at = datetime.now(timezone.utc)
        held_token = re.findall(r"holding (\w+)", drill.output(leader))[-1]
        old_epoch = max(r.epoch for r in drill.runs(after=since_run) if r.runner == leader.runner)

        # The standby runs the next due dispatch, under the next epoch, within two intervals (+ slack).
        first = wait_for(lambda: next((r for r in drill.runs(job, since_run)
                                       if r.runner == standby.runner and r.epoch > old_epoch), None),
                         lambda: "no standby dispatch after the leader was paused:\n" + drill.all_output(),
                         timeout=TAKEOVER_DEADLINE_S)
        phase("paused: standby dispatched")
        # And its marking job gets the row lock the paused leader held (its transaction was ended).
        wait_for(lambda: any(m.runner == standby.runner and m.job == "mark" for m in drill.marks(since_mark)),
                 lambda: "the paused leader's row lock was never freed:\n" + drill.all_output())
        phase("paused: standby marked")
        # And it assigns the orders that keep coming in.
        wait_for(lambda: assigned_since(drill, stopped_at),
                 lambda: f"the standby assigned nothing (orders {feeder.placed}, "
                         f"{drill.rows('SELECT status, count(*) FROM orders GROUP BY status')}, "
                         f"runs {drill.runs(job, since_run)[-3:]}):\n" + drill.all_output())
        lease = drill.lease()
        assert first.epoch == lease.epoch and lease.holder.split(":")[1] == str(standby.pid)

        # Wake the old leader: it must find its lease gone and write nothing as leader.
        phase("paused: standby assigned")
        leader.send_signal(signal.SIGCONT)
        woke_at = datetime.now(timezone.utc)
        wait_for(lambda: "lost (epoch" in drill.output(leader, offset) or "fenced" in drill.output(leader, offset),
                 lambda: "the old leader never noticed it lost the lease:\n" + drill.all_output())
        runs_after_wake = len([r for r in drill.runs(job, since_run) if r.started_at > woke_at])
        wait_for(lambda: len([r for r in drill.runs(job, since_run) if r.started_at > woke_at]) > runs_after_wake,
                 lambda: "the standby stopped dispatching after the old leader woke:\n" + drill.all_output())
    finally:
        feeder.stop()
        leader.send_signal(signal.SIGCONT)  # never left paused, whatever failed

    phase("paused: checked")
    runs, marks = drill.runs(after=since_run), drill.marks(since_mark)
    assert held_token not in {m.token for m in marks}, "the paused transaction committed"
    # Leader, then standby (a loaded machine may move the lease again later: every epoch is checked).
    for rows in (drill.runs(job, since_run), drill.runs("drill:mark", since_run), marks):
        assert blocks(rows)[:2] == [leader.runner, standby.runner], blocks(rows)
        assert_epochs_never_go_back(rows)
    assert not [r for r in runs if r.epoch <= old_epoch and r.started_at > stopped_at], "written under the old lease"
    assert_no_task_assigned_twice(drill)
    assert leader.poll() is None and standby.poll() is None, drill.all_output()
    report("paused leader", takeover_s=(first.started_at - stopped_at).total_seconds(),
           lease_taken_s=(lease.acquired_at - stopped_at).total_seconds(), interval_s=DISPATCH_INTERVAL_S,
           ttl_s=LEASE_TTL_S, orders=feeder.placed)


# ---- the stuck job -------------------------------------------------------------------------------

def test_a_job_stuck_past_its_time_limit_does_not_keep_the_lease(leaders):
    drill = leaders
    job = f"dispatch:{drill.shop.store_id}"
    leader, standby = current_pair(drill)
    since_run, since_mark = drill.last_ids()
    offset = len(drill.output(leader))
    stuck_file = Path(drill.env_of[leader.pid]["DRILL_STUCK_FILE"])  # only the leader's job gets stuck
    try:
        wait_for(lambda: any(r.runner == leader.runner for r in drill.runs(job, since_run)),
                 lambda: "the leader did not dispatch:\n" + drill.all_output())
        old_epoch = drill.lease().epoch
        stuck_file.touch()
        line = wait_for(lambda: re.search(r"stuck (\w+) at ([\d.]+)", drill.output(leader, offset)),
                        lambda: "the leader's job never got stuck:\n" + drill.all_output())
        token, stuck_at = line.group(1), datetime.fromtimestamp(float(line.group(2)), timezone.utc)

        first = wait_for(lambda: next((r for r in drill.runs(job, since_run)
                                       if r.runner == standby.runner and r.epoch > old_epoch), None),
                         lambda: "the stuck leader kept the lease:\n" + drill.all_output())
        assert leader.poll() is None and stuck_file.exists()  # still alive, still stuck: it gave the lease up
        lease = drill.lease()
        assert lease.epoch > old_epoch and lease.holder.split(":")[1] == str(standby.pid)
    finally:
        stuck_file.unlink(missing_ok=True)  # the stuck job returns and tries to write: its fence refuses
    wait_for(lambda: "drill:stuck: fenced" in drill.output(leader, offset),
             lambda: "the abandoned job was not fenced:\n" + drill.all_output())

    marks = drill.marks(since_mark)
    assert token not in {m.token for m in marks}, "the abandoned job wrote"
    assert blocks(drill.runs(job, since_run))[:2] == [leader.runner, standby.runner]
    assert_epochs_never_go_back(drill.runs(job, since_run))
    assert_epochs_never_go_back(marks)
    report("stuck job", takeover_s=(first.started_at - stuck_at).total_seconds(),
           lease_taken_s=(lease.acquired_at - stuck_at).total_seconds(), time_limit_s=2, ttl_s=LEASE_TTL_S)
