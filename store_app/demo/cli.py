"""``flask seed-demo``: load the demo community (safe to run again)."""
import click
from flask.cli import with_appcontext

from ..database import transaction
from . import data
from . import services_data
from .operations import seed_demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create the demo store, about 40 buildings, and demo accounts (idempotent)."""
    with transaction():
        store, created = seed_demo()
    click.echo(f"Demo store #{store.id} {store.name}: created {created['buildings']} buildings, "
               f"{created['users']} accounts.")


def demo_logins():
    """Lines describing the demo accounts, for ``make run`` and the README."""
    return [
        f"  owner     {data.OWNER[0]}  / {data.PASSWORD}",
        f"  staff     {data.STAFF[0][0]}  / {data.PASSWORD}",
        f"  courier   {data.COURIERS[0][0]}  / {data.PASSWORD}",
        f"  resident  {data.RESIDENTS[0][0]}  / {data.PASSWORD}",
        f"  vendor    {services_data.VENDOR_PHONES[0]}  / {data.PASSWORD}",
        f"  crew      {services_data.CREW_PHONES[0]}  / {data.PASSWORD}",
    ]


@click.command("demo-logins")
@with_appcontext
def demo_logins_command():
    """Print the demo logins."""
    click.echo("Demo logins (phone / password):")
    for line in demo_logins():
        click.echo(line)


def init_app(app):
    """Register the demo commands."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
