"""Which source types claim a file, and reading it as such a source with its defaults.

The probes are import's own (books/identify.py `_PROBES`, the table its "this looks
like …" message asks): init identifies a file exactly as import would refuse it."""

from __future__ import annotations

from pathlib import Path

from beanclear import config as config_mod
from beanclear.books import identify
from beanclear.config import ConfigError
from beanclear.importers import registry
from beanclear.importers.base import Extraction, StatementImporter

# The currency the probe source is given: an amount in it is one the statement does not
# state the currency of (the config's default would apply).
UNSTATED = "UNSTATED"
GROUPS = {"channel": "channels", "bank": "banks", "shop": "shops"}
TABLES = {"channel": registry.CHANNEL_IMPORTERS, "bank": registry.BANK_IMPORTERS, "shop": registry.SHOP_IMPORTERS}


def claims(path: Path) -> list[tuple[str, str, type]]:
    """(group, type, importer class) of every importer that claims the file, as a
    source of that type with nothing but its defaults (types needing `columns:` aside)."""
    out = []
    for what, table, make in identify._PROBES:
        for kind, classes in table.items():
            try:
                source = make(kind)
            except ConfigError:
                continue
            out += [(what, kind, cls) for cls in classes if cls(source, None).identify(str(path))]
    return out


def probe_config(group: str, node: dict, base: Path):
    """A config holding one source, `probe`, of `node` (type and its keys); the
    importers read through it as they would through the merchant's."""
    node = {"currency": UNSTATED, **node}
    if group == "bank":
        node = {"account": "Assets:Bank:Probe", **node}
    return config_mod.parse({GROUPS[group]: {"probe": node}}, base / "config.yaml")


def read(path: Path, group: str, node: dict, cls: type, base: Path) -> tuple[StatementImporter, Extraction]:
    """Read the whole file with `cls` as the probe source (StatementError on bad input),
    with the UTC offsets its times state (Extraction.offsets)."""
    from beanclear.importers.toolkit import stated_offsets
    config = probe_config(group, node, base)
    importer = next(i for i in registry.for_config(config) if type(i) is cls)
    with stated_offsets() as seen:
        extraction = importer.read(str(path))
    extraction.offsets = seen
    return importer, extraction
