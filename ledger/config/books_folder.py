"""What `books:` may name: a folder of books, never one that holds other things.

beanclear writes its files into the books' folder, and only it, the one folder a person
gives it: main.beancount, accounts.beancount, `<source>/<YYYY>/<YYYY-MM>.beancount`…
A folder that is the merchant's own (config.yaml in it, the statements beside it, their
git repository at its top), where beanclear keeps the statements (statements/, events/),
or a folder of something else (the tester's `books: /etc`) is refused at the `books:`
line before anything is written (blind33 hostile: `books: .` was taken, and /etc as root:
the first import wrote its files there, and its sweep took every empty folder below).

A folder of books is one that holds main.beancount: books beanclear wrote, or a person's
own Beancount books beanclear adopts (README "Books you keep already"), whatever else
they keep beside them. Without main.beancount (before the first import) it may hold
only what books are made of: Beancount files, Fava's import file, the folders of the
sources config.yaml names, and hidden files (a `git init` of the books' folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from beanclear.config.model import ConfigError

KEPT_BESIDE = {"statements": "the statements beanclear fetches and receives",
               "events": "the webhook events `beanclear serve` receives"}
OWN_FOLDER = "the books need a folder of their own beside config.yaml and the statements (books: books)"


def refuse(books: Path, root: Path, sources) -> None:
    """ConfigError (`books: …`) where `books` (as config.yaml writes it, relative to the
    config's folder `root`) names a folder that is not one of books; `sources`: the names
    of the channels, banks and shops (their folders in the books)."""
    place, root = (root / books).resolve(), root.resolve()
    if place == root:
        raise ConfigError(f"books: {books} is the folder config.yaml is in: {OWN_FOLDER}")
    if place in root.parents:
        raise ConfigError(f"books: {books} holds the folder config.yaml is in ({root}): {OWN_FOLDER}")
    for name, what in KEPT_BESIDE.items():
        kept = root / name
        if place == kept or kept in place.parents:
            raise ConfigError(f"books: {books} is inside {name}/, where beanclear keeps {what}: {OWN_FOLDER}")
    if not place.is_dir():   # made by the first import
        return
    if _a_merchants_config(place / "config.yaml"):
        raise ConfigError(f"books: {books} holds a config.yaml: a merchant's folder, not its books; "
                          f"{OWN_FOLDER}")
    if (place / "main.beancount").is_file():
        return
    odd = sorted(_not_books(place, set(sources)))
    if odd:
        raise ConfigError(f"books: {books} holds what is not books ({', '.join(odd[:3])}{', …' if len(odd) > 3 else ''})"
                          " and no main.beancount: name a new or empty folder for the books, or the folder of "
                          "your own Beancount books (its main.beancount in it)")


def _a_merchants_config(path: Path) -> bool:
    """Whether `path` is a beanclear config.yaml (a key of its own at the left margin): a
    person's books may keep another tool's config.yaml beside them."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(1 << 20)
    except OSError:   # (none there, or a folder of that name)
        return False
    return re.search(r"^(books|channels|banks|shops)[ \t]*:", head, re.M) is not None


def _not_books(place: Path, sources: set[str]):
    """The names in `place` books without a main.beancount are not made of."""
    from beanclear.books.disk import FAVA_IMPORT   # (the books' module: not needed by every load)
    try:
        entries = list(os.scandir(place))
    except OSError as exc:
        raise ConfigError(f"books: {place}: cannot be read ({exc.strerror or exc})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if entry.name not in sources:
                yield entry.name
        elif not (entry.name.endswith(".beancount") or entry.name == FAVA_IMPORT):
            yield entry.name


def not_an_output(config, path) -> str | None:
    """Why a file or folder a command is told to write into (`report -o`, `export --to`) may
    not be `path`, or None: the books' folder and what is in it, config.yaml, the folders
    beanclear keeps the statements in, a Beancount file anywhere (a file the books may
    include) are never a report's or an export's (blind33 hostile: `report --format pdf -o
    books/main.beancount` replaced the books' main file with a PDF, exit 0)."""
    place, root = Path(os.path.abspath(path)).resolve(), config.root.resolve()
    books = config.books.resolve()
    if place == books or books in place.parents:
        return (f"inside the books' folder ({books}), which holds beanclear's files and yours: write it beside "
                "config.yaml or elsewhere")
    if place == Path(config.path).resolve():
        return "it is config.yaml"
    for name, what in KEPT_BESIDE.items():
        kept = root / name
        if place == kept or kept in place.parents:
            return f"inside {name}/, where beanclear keeps {what}: write it beside config.yaml or elsewhere"
    if place.suffix == ".beancount":
        return "a Beancount file (one the books may include): name a file of the format written"
    return None
