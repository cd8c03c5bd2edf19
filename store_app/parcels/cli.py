"""``flask parcels import-csv FILE [--store ID]``: check in a courier's manifest from the command line.

It prints one JSON object, ``{"imported": n, "errors": [{"line": k, "error": "..."}]}``, with the
messages in English; the exit status is 1 only when the file as a whole cannot be read.
"""
import json

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..database import transaction, utcnow
from ..stores.operations import get_first_store, get_store
from . import importing

parcels_cli = AppGroup("parcels", help="The parcel station.")


@parcels_cli.command("import-csv")
@click.argument("file", type=click.File("rb"))
@click.option("--store", "store_id", type=int, default=None,
              help="The store's id (default: the first store, as in a one-store installation).")
def import_csv_command(file, store_id):
    """Check in the parcels of a CSV manifest: tracking_number,carrier,recipient_phone,recipient_name,size."""
    store = get_store(store_id) if store_id is not None else get_first_store()
    if store is None:
        raise click.ClickException(f"There is no store #{store_id}." if store_id is not None
                                   else "There is no store yet: run `flask seed-demo` or create one.")
    with force_locale("en"):
        try:
            text = importing.read_upload(file.read())
            with transaction():
                report = importing.import_manifest(importing.Counter(None, store.id), text, utcnow())
        except importing.ImportRefused as exc:
            click.echo(json.dumps({"imported": 0, "errors": [{"line": exc.line, "error": str(exc.message)}]},
                                  ensure_ascii=False))
            raise SystemExit(1) from exc
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))


def init_app(app):
    """Register ``flask parcels ...``."""
    app.cli.add_command(parcels_cli)
