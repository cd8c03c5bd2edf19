"""``make run``: prepare the embedded database, then run the app's processes side by side.

The processes are a list: the web server and the scheduler (``flask jobs scheduler``, which runs
every registered periodic job). If one process dies, the others are stopped, so nothing half-runs
unnoticed.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

from . import create_app


def prepare(app):
    """Migrate the database and load the demo community on first run."""
    from flask_migrate import upgrade

    from .database import transaction
    from .demo.operations import seed_demo
    from .stores.operations import get_first_store

    with app.app_context():
        upgrade()
        if get_first_store() is None:
            with transaction():
                seed_demo()
            return True
    return False


def process_specs(host, port):
    """The commands to run: name -> argv. Later lines of business add theirs here."""
    python = sys.executable
    return {
        "web": [python, "-m", "flask", "--app", "wsgi", "run", "--host", host, "--port", str(port),
                "--no-reload", "--with-threads"],
        # The one scheduler (every registered periodic job: dispatch cycles, the parcel ladder, the
        # outbox...); web workers never run it.
        "scheduler": [python, "-m", "flask", "--app", "wsgi", "jobs", "scheduler"],
    }


def supervise(specs):
    """Start every process; when any exits (or Ctrl-C), stop the rest. Returns an exit code."""
    children = {name: subprocess.Popen(argv) for name, argv in specs.items()}
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"[launcher] {name} exited with {child.returncode}; stopping the others", flush=True)
                code = child.returncode or 1
                stopping = True
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


def main(argv=None):
    """Parse ``--host/--port`` (``HOST``/``PORT`` env), prepare, print the logins, run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args(argv)
    os.environ.setdefault("STORE_ENV", "development")
    app = create_app()
    seeded = prepare(app)
    from .demo.cli import demo_logins

    print("\nCommunity store is running at http://%s:%d/" % (args.host, args.port))
    if seeded:
        print("The demo community was loaded (flask seed-demo).")
    print("Demo logins (phone / password):")
    print("\n".join(demo_logins()))
    print("Press Ctrl-C to stop.\n", flush=True)
    return supervise(process_specs(args.host, args.port))


if __name__ == "__main__":
    sys.exit(main())
