"""The books on disk (DESIGN.md §2): their layout, how new entries get into them
(disk.py: `Books`, the one writer's merge), and the pieces the writer is made of
(render, atomic, edits, …).

`from beanclear.books import Books` reads disk.py, loaded the first time a name of it is
asked for. The checks import `books.render` inside every `bean-check` and need nothing
of the writer: importing it there cost 15 ms of the 56 ms the plugin's modules take.
"""

from __future__ import annotations

import importlib
from pathlib import Path

_HERE = Path(__file__).parent


def __getattr__(name: str):
    # PEP 562: asked for a name this package does not hold yet. A module of the package
    # (`from beanclear.books import render`) is imported as such; any other name is
    # disk.py's, loaded once, then kept here so the next lookup is a plain attribute.
    if name.startswith("__"):
        raise AttributeError(name)
    if (_HERE / f"{name}.py").is_file():
        return importlib.import_module(f"{__name__}.{name}")
    disk = importlib.import_module(f"{__name__}.disk")
    try:
        value = getattr(disk, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value
