"""``flask uploads prune [--dry-run]``: delete the uploaded files no row refers to.

Such files come from a crash between a commit and the moment its files were moved into place or
let go (a refused request leaves none: see ``storage``). Only files under registered folders whose
names are ours are looked at, and only those older than the grace period (an hour by default), so a
request still saving is never robbed of its file. Prints one line per file and a summary.
"""
import click
from flask import current_app
from flask.cli import AppGroup

from ..database import utcnow
from . import storage

uploads_cli = AppGroup("uploads", help="Uploaded files (photos, voice notes).")
GRACE_S = 3600


@uploads_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="List the orphan files without deleting them.")
@click.option("--grace-minutes", type=click.IntRange(min=0), default=GRACE_S // 60, show_default=True,
              help="Leave files younger than this alone (a request may still be saving).")
def prune_command(dry_run, grace_minutes):
    """Delete uploaded files that no row refers to (photos, voice notes)."""
    orphans = storage.find_orphans(utcnow().timestamp(), grace_minutes * 60, current_app.instance_path)
    verb = "would remove" if dry_run else "removed"
    for orphan in orphans:
        if not dry_run:
            orphan.path.unlink(missing_ok=True)
        click.echo(f"{verb} {orphan.folder}/{orphan.path.name} ({orphan.size_bytes} bytes)")
    total = sum(orphan.size_bytes for orphan in orphans)
    click.echo(f"{len(orphans)} orphan files, {total} bytes" + (" (dry run: nothing removed)" if dry_run else ""))


def init_app(app):
    """Register ``flask uploads ...``."""
    app.cli.add_command(uploads_cli)
