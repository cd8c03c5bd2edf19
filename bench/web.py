"""Web load bench: the feed, a product page, the quote API and checkout at 16 concurrent clients, each
compared with a bare endpoint served by the same gunicorn in the same run.

How to run
    make bench                           # runs every bench/*.py, this one included
    .venv/bin/python bench/web.py        # SQLite; PostgreSQL too when a URL below is set
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/web.py
    .venv/bin/python bench/web.py --seconds 10 --clients 16 --no-sqlite --profile feed

Per database (a SQLite file in a temp dir; then PostgreSQL in a throwaway database ``bench_web_<pid>``
created and dropped on the server of BENCH_DATABASE_URL, else TEST_DATABASE_URL):
  1. create the schema (create_all) and load the demo community (seed_demo); add what the bench needs
     if the demo lacks it (a zone, products); add 16 bench residents with funded wallets, products
     with a large stock, and enough couriers on shift that the promise never refuses a bench order
     (the quote waits one round trip per "wave" of open orders per courier);
  2. start gunicorn on 127.0.0.1 serving the app in its production configuration plus ``/bench/bare``
     (a constant JSON answer, added by bench/support/web_app.py without touching the app);
  3. run each phase for a fixed time (1 s warm-up, then --seconds measured) with --clients keep-alive
     clients written on asyncio streams (standard library only): bare, feed (/shop as a logged-in
     resident), a product page (if the app has one), the quote API, checkout (add to the cart as the
     feed's fetch does, POST /checkout with a fresh idempotency key and the session's CSRF token, then
     the order page it redirects to; orders/s is the rate of 303s from POST /checkout);
  4. print requests/s, p50 and p99 latency, and throughput relative to bare; check the targets.

Targets, checked per database; exit status 1 when one is missed or any request answered 5xx:
  feed >= 0.35 x bare requests/s and feed p99 < 100 ms; checkout >= 150 orders/s (PostgreSQL only).
Clients, server and database share the machine: run it on a quiet one (other busy processes on a
2-core box move every number, bare included, by 2x or more; the ratios move less). With 16 closed-loop
clients on 2 workers a request waits behind about 8 others, so p99 is roughly 8 x its service time.

Why gthread (2 workers x 4 threads): the clients keep their connections alive like phones do, and
gunicorn's sync worker closes the connection after every response; with threads, a worker serves
another request while one waits on the database (a checkout makes dozens of round trips). Each
worker's SQLAlchemy pool (5 + 10 overflow) covers its threads.

``--profile ENDPOINT`` (bare, feed, feed-first (the page cache off), quote, checkout) skips the load run: on each database it profiles
100 of that endpoint's requests in-process (statements per request, CPU ms, cProfile top).
``--products N`` spreads the checkouts over N products (default 1: the hot-row case, everyone buys one).

The helpers live in bench/support/: web_app.py (the served app), web_data.py (the data),
http_load.py (the clients), databases.py (the throwaway PostgreSQL database).
"""
import argparse
import asyncio
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# A script's own folder comes first on sys.path, and bench/dispatch.py would shadow the dispatch package.
sys.path[:] = [str(ROOT / "bench" / "support"), str(ROOT)] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from databases import throwaway_postgres  # noqa: E402  (bench/support is not a package)
from http_load import Client, run_phase  # noqa: E402
from web_data import PASSWORD, prepare, sqlalchemy_url  # noqa: E402

WORKERS, THREADS = 2, 4
FEED_RATIO, FEED_P99_MS, CHECKOUT_ORDERS_S = 0.35, 100.0, 150.0
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


class BenchError(Exception):
    """The app answered something a browser could not go on from (the run stops, with the server log)."""


# ---- the servers -----------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url, instance_dir):
    """Serve the bench app on 127.0.0.1; yields ``(port, log_path)``; stops the server on exit."""
    port, log_path = free_port(), Path(instance_dir) / "gunicorn.log"
    env = {**os.environ, "STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
           "STORE_INSTANCE_PATH": str(instance_dir), "RATELIMIT_STORAGE_URI": "memory://"}
    argv = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
            "--pythonpath", str(ROOT / "bench" / "support"),
            "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--graceful-timeout", "5",
            "web_app:create_bench_app()"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(server, port, log_path)
        yield port, log_path, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server, port, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /bench/bare HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not answer within 30 s")


# ---- the clients -----------------------------------------------------------------------------

async def log_in(client, phone):
    """Log in through the form, then keep the session's CSRF token."""
    status, _, page = await client.request("GET", "/login")
    token = CSRF_META.search(page.decode()).group(1)
    status, headers, _ = await client.request("POST", "/login", {"phone": phone, "password": PASSWORD,
                                                                 "csrf_token": token})
    if status != 302:
        raise BenchError(f"login of {phone} answered {status}")
    _, _, page = await client.request("GET", "/cart")
    client.csrf = CSRF_META.search(page.decode()).group(1)


def steps(facts):
    """The phases: ``[(name, step, [(label, expected status)], note)]``; ``step=None`` skips with the note."""
    residents = facts["residents"]

    async def bare(i, client, phase):
        await phase.timed("bare", client, "GET", "/bench/bare")

    async def feed(i, client, phase):
        await phase.timed("feed", client, "GET", "/shop")

    async def feed_first_view(i, client, phase):
        # A query string the feed ignores but the page cache keys on: every request renders afresh.
        client.views = getattr(client, "views", 0) + 1
        await phase.timed("feed, first view", client, "GET", f"/shop?v={client.views}")

    async def product(i, client, phase):
        await phase.timed("product page", client, "GET", facts["product_path"])

    async def quote(i, client, phase):
        r = residents[i]
        await phase.timed("quote", client, "GET", f"/api/v1/delivery-quote?lat={r['lat']}&lon={r['lon']}")

    async def checkout(i, client, phase):
        # As a phone does it: "Add" on the feed (fetch, JSON), pay, then the order page the 303 leads to.
        product_id, quantity = client.buy
        await phase.timed("cart add", client, "POST", "/cart/items", accept="application/json",
                          form={"product_id": product_id, "quantity": quantity, "csrf_token": client.csrf})
        form = {**client.checkout_form, "idempotency_key": uuid.uuid4().hex, "csrf_token": client.csrf}
        status, headers, _ = await phase.timed("checkout", client, "POST", "/checkout", form, expect=303)
        if status == 303:
            await phase.timed("order page", client, "GET", urlsplit(headers["location"]).path)

    return [
        ("bare", bare, [("bare", 200)], None),
        ("feed", feed, [("feed", 200)], None),
        ("feed, first view", feed_first_view, [("feed, first view", 200)], None),
        ("product page", product if facts["product_path"] else None, [("product page", 200)],
         "the app has no product page route yet"),
        ("quote", quote if facts["quote_route"] else None, [("quote", 200)],
         "no /api/v1/delivery-quote route yet"),
        ("checkout", checkout, [("cart add", 200), ("checkout", 303), ("order page", 200)], None),
    ]


async def open_checkout(client, buy):
    """Fill the cart once and read the checkout form (address, expected total) a browser would post."""
    client.buy = buy
    await client.request("POST", "/cart/items",
                         {"product_id": buy[0], "quantity": buy[1], "csrf_token": client.csrf})
    status, _, page = await client.request("GET", "/checkout")
    text = page.decode()
    if status != 200 or "Arrives in about" not in text:
        raise BenchError(f"the checkout page cannot deliver now ({status}):\n{text[-2000:]}")
    total = re.search(r'name="expected_total_cents"[^>]*value="(\d+)"'
                      r'|value="(\d+)"[^>]*name="expected_total_cents"', text)
    address = re.search(r'<option[^>]*selected[^>]*value="(\d+)"'
                        r'|<option[^>]*value="(\d+)"[^>]*selected', text)
    client.checkout_form = {"address_id": next(g for g in address.groups() if g),
                            "expected_total_cents": next(g for g in total.groups() if g),
                            "payment_method": "wallet", "slot": "", "note": ""}
    await client.request("POST", f"/cart/items/{buy[0]}", {"quantity": 0, "csrf_token": client.csrf})


def cpu_meter(server_pid):
    """``() -> {"app": s, "database": s, "clients": s}``: CPU seconds used so far by the gunicorn
    processes, by every PostgreSQL process on this machine, and by this process (the clients)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # After the name: state ppid ... utime(12) stime(13) (0-based, counted from the state).
        return fields[1], (int(fields[11]) + int(fields[12])) / tick

    def comm(pid):
        try:
            with open(f"/proc/{pid}/comm") as f:
                return f.read().strip()
        except OSError:
            return ""

    def sample():
        totals = {"app": 0.0, "database": 0.0, "clients": time.process_time()}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            found = stat(entry)
            if found is None:
                continue
            ppid, seconds = found
            if int(entry) == server_pid or int(ppid) == server_pid:
                totals["app"] += seconds
            elif comm(entry).startswith("postgres"):
                totals["database"] += seconds
        return totals
    return sample


async def drive(port, facts, seconds, warmup_s, quote_probe=True, cpu=None):
    """Log every client in, run every phase; returns ``[(name, rows or note)]``."""
    clients = [Client(port) for _ in facts["residents"]]
    buys = facts["buys"]
    for i, (client, resident) in enumerate(zip(clients, facts["residents"])):  # one by one: not measured
        await log_in(client, resident["phone"])
        await open_checkout(client, buys[i % len(buys)])
    if facts["quote_route"] and quote_probe:
        r = facts["residents"][0]
        path = f"/api/v1/delivery-quote?lat={r['lat']}&lon={r['lon']}"
        status, _, _ = await clients[0].request("GET", path)
        if status == 404:
            facts["quote_route"] = False
    results = []
    for name, step, labels, note in steps(facts):
        if step is None:
            results.append((name, note))
            continue
        phase = await run_phase(clients, step, warmup_s, seconds, cpu)
        results.append((name, {label: phase.row(label, expect) for label, expect in labels}
                        | {"_unexpected": phase.unexpected, "_cpu": phase.cpu}))
    for client in clients:
        client.close()
    return results


# ---- reporting ---------------------------------------------------------------------------------

def report(title, results, checks):
    """Print the table of one database; append ``(ok, text)`` to ``checks`` (ok None: a note)."""
    bare = results[0][1]["bare"]["rps"] or math.nan
    print(f"\n== {title}")
    print(f"{'endpoint':<14}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'x bare':>8}  statuses")
    rows, cpu_notes = {}, []
    for name, data in results:
        if isinstance(data, str):
            print(f"{name:<14}  skipped: {data}")
            continue
        for label, row in data.items():
            if label.startswith("_"):
                continue
            rows[label] = row
            print(f"{label:<14}{row['rps']:>10.1f}{row['p50']:>9.1f}{row['p99']:>9.1f}"
                  f"{row['rps'] / bare:>8.2f}  {row.get('statuses', {})}")
        units = data["checkout" if name == "checkout" else labels_of(data)[0]]["ok"]
        if data.get("_cpu") and units:
            cpu = data["_cpu"]
            per = {k: cpu[k] / units * 1000 for k in ("app", "database", "clients")}
            unit = "order" if name == "checkout" else "request"
            cpu_notes.append(f"{name:<14} CPU ms per {unit}: app {per['app']:.2f}, database {per['database']:.2f}, "
                             f"clients {per['clients']:.2f}; at this cost {os.cpu_count()} cores serve at most "
                             f"{os.cpu_count() * 1000 / sum(per.values()):,.0f} {unit}s/s")
        for (label, status), n in sorted(data["_unexpected"].items()):
            # A 5xx fails the run; other surprises (a 409 after a failed step, say) are shown, not judged.
            checks.append((False if status >= 500 else None,
                           f"{title}: {label} answered {status} {n} times (warm-up included)"))
    print("\n".join(cpu_notes))
    feed = rows["feed"]
    checks.append((feed["rps"] >= FEED_RATIO * bare,
                   f"{title}: feed throughput {feed['rps'] / bare:.2f}x bare (target >= {FEED_RATIO}x)"))
    checks.append((feed["p99"] < FEED_P99_MS,
                   f"{title}: feed p99 {feed['p99']:.1f} ms (target < {FEED_P99_MS:.0f})"))
    if title.startswith("PostgreSQL"):
        orders = rows["checkout"]["rps"]
        checks.append((orders >= CHECKOUT_ORDERS_S,
                       f"{title}: checkout {orders:.1f} orders/s (target >= {CHECKOUT_ORDERS_S:.0f})"))


def labels_of(data):
    """The row labels of one phase's results, in order (the keys that are not ``_notes``)."""
    return [label for label in data if not label.startswith("_")]


def count_orders(url):
    """Orders in the database (a sanity check against the 303s the clients counted)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id "
                                  "WHERE u.phone LIKE '+8613700%'")).scalar()
    engine.dispose()
    return count


def bench_database(title, url, args, instance_dir, checks):
    started = time.monotonic()
    facts = prepare(url, args.clients, args.products)
    print(f"\n[{title}] prepared in {time.monotonic() - started:.1f} s; " + "; ".join(facts["notes"])
          + "; checkout carts: " + ", ".join(f"{q} x product {p}" for p, q in facts["buys"]))
    if args.profile:
        profile(url, facts, args.profile)
        return
    with gunicorn(url, instance_dir) as (port, log_path, server_pid):
        try:
            results = asyncio.run(drive(port, facts, args.seconds, args.warmup, cpu=cpu_meter(server_pid)))
        except BenchError as exc:
            server_log = log_path.read_text(errors="replace")
            raise SystemExit(f"bench: {exc}\nserver log (end):\n{server_log[-4000:]}") from None
        server_log = log_path.read_text(errors="replace")
    shape = f"gunicorn {WORKERS} x gthread {THREADS}, {args.clients} clients, {args.seconds:g} s/phase"
    report(f"{title} ({shape})", results, checks)
    print(f"bench orders in the database: {count_orders(url)}")
    if "Traceback" in server_log:
        print("server log (last 3000 characters):\n" + server_log[-3000:])


def profile(url, facts, endpoint, repeat=100):
    """``repeat`` requests of one resident to ``endpoint``, in-process under cProfile (CPU time): the
    queries each makes, CPU ms per request, and the top of the profile."""
    import cProfile
    import functools
    import pstats

    from sqlalchemy import event

    from store_app.extensions import db

    os.environ.update({"STORE_ENV": "production", "SECRET_KEY": secrets.token_hex(16), "DATABASE_URL": url})
    from web_app import create_bench_app

    app = create_bench_app()
    if endpoint == "feed-first":  # the page cache off: every request renders the feed afresh
        app.config["FEED_PAGE_TTL_S"] = 0
    client = app.test_client()  # over "https", as the production cookie and CSRF settings expect
    get = functools.partial(client.get, base_url="https://localhost")
    post = functools.partial(client.post, base_url="https://localhost",
                             headers={"Referer": "https://localhost/"})
    resident = facts["residents"][0]
    page = get("/login").get_data(as_text=True)
    post("/login", data={"phone": resident["phone"], "password": PASSWORD,
                         "csrf_token": CSRF_META.search(page).group(1)})
    token = CSRF_META.search(get("/cart").get_data(as_text=True)).group(1)
    product_id, quantity = facts["buys"][0]
    add = {"product_id": product_id, "quantity": quantity, "csrf_token": token}
    post("/cart/items", data=add)
    form = get("/checkout").get_data(as_text=True)
    fields = {"address_id": re.search(r'<option[^>]*selected[^>]*value="(\d+)"', form).group(1),
              "expected_total_cents": re.search(r'name="expected_total_cents"[^>]*value="(\d+)"',
                                                form).group(1),
              "payment_method": "wallet", "slot": "", "note": "", "csrf_token": token}
    post(f"/cart/items/{product_id}", data={"quantity": 0, "csrf_token": token})
    paths = {"feed": "/shop", "feed-first": "/shop?v=first", "bare": "/bench/bare",
             "quote": f"/api/v1/delivery-quote?lat={resident['lat']}&lon={resident['lon']}"}

    split = Counter()

    def once():
        if endpoint != "checkout":
            return get(paths[endpoint]).status_code
        t0 = time.process_time()
        post("/cart/items", data=add, headers={"Accept": "application/json", "Referer": "https://localhost/"})
        t1 = time.process_time()
        response = post("/checkout", data={**fields, "idempotency_key": uuid.uuid4().hex})
        t2 = time.process_time()
        get(response.headers["Location"])
        split.update({"cart add": t1 - t0, "checkout": t2 - t1, "order page": time.process_time() - t2})
        return response.status_code

    statements = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    status = once()
    statements.clear()
    once()
    unit = "add + checkout + order page" if endpoint == "checkout" else "request"
    print(f"\n-- {endpoint}: status {status}, {len(statements)} statements per {unit}: "
          f"{dict(Counter(s.split(None, 1)[0] for s in statements))}")
    if os.environ.get("BENCH_SQL"):
        for sql in statements:
            print("   ", " ".join(sql.split())[:160])
    split.clear()
    started = time.process_time()
    for _ in range(repeat):
        once()
    cpu_ms = (time.process_time() - started) / repeat * 1000
    print(f"CPU {cpu_ms:.1f} ms per iteration (this process, no profiler)"
          + "".join(f"; {name} {seconds / repeat * 1000:.1f}" for name, seconds in split.items()))
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(repeat):
        once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("BENCH_PROFILE_OUT"):
        stats.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    print_by_package(stats, repeat)
    stats.sort_stats("cumulative").print_stats(r"store_app|templates", 30)


def print_by_package(stats, repeat):
    """Own CPU time (tottime) per request, summed by package: where the time goes, not who called."""
    totals = Counter()
    for (path, _line, func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if path.startswith("~") or path == "<string>":
            package = f"builtin {func}" if func.startswith("<method") or func.startswith("<built-in") else path
            package = "builtins" if path.startswith("~") else package
        elif "site-packages/" in path:
            package = path.split("site-packages/", 1)[1].split("/", 1)[0]
        elif str(ROOT) in path:
            package = path.replace(str(ROOT) + "/", "").split("/", 1)[0]
        else:
            package = "python stdlib"
        totals[package] += tottime
    print("own CPU ms per iteration by package (under the profiler):")
    for package, seconds in totals.most_common(14):
        print(f"  {package:24} {seconds / repeat * 1000:7.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per phase (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per phase (default 1)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--products", type=int, default=1,
                        help="products the checkouts spread over (default 1: everyone buys the same one)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--profile", choices=["bare", "feed", "feed-first", "quote", "checkout"],
                        help="instead of the load run: profile this endpoint in-process, on each database")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be 1..64")
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    checks = []
    instance_dir = tempfile.mkdtemp(prefix="bench_web_")
    os.environ["STORE_INSTANCE_PATH"] = instance_dir
    try:
        if not args.no_sqlite:
            bench_database("SQLite", f"sqlite:///{instance_dir}/bench.sqlite3", args, instance_dir, checks)
        if pg_url:
            with throwaway_postgres(pg_url, "bench_web") as url:
                bench_database("PostgreSQL", url, args, instance_dir, checks)
        else:
            print("\nPostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL (the checkout target is "
                  "checked only there)")
    finally:
        shutil.rmtree(instance_dir, ignore_errors=True)
    print("\n== targets")
    for ok, text in checks:
        print({True: "PASS  ", False: "MISS  ", None: "NOTE  "}[ok] + text)
    return 0 if all(ok is not False for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
