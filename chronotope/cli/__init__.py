"""The `chronotope` command line. Each module in this package adds its commands to `app`.

Modules are discovered, not listed, so a new command group is one new file. Heavy libraries are imported
inside the commands, so `chronotope --help` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil

from chronotope.cli.app import app

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    """Entry point of the `chronotope` console script."""
    app()
