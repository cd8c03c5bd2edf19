"""The ``flask dispatch`` command group: run-once, scheduler (and the simulator's commands)."""
from flask.cli import AppGroup

from .commands import COMMANDS

dispatch_cli = AppGroup("dispatch", help="The courier dispatcher.")
for command in COMMANDS:
    dispatch_cli.add_command(command)


def init_app(app):
    """Register ``flask dispatch ...`` on the app."""
    app.cli.add_command(dispatch_cli)
