"""Which importers read which source types, built from config.yaml.

beangulp and Fava's import page can use the same importers:

    # import.py
    import beangulp
    from beanclear.importers.registry import from_config
    beangulp.Ingest(from_config("config.yaml")).main()
"""

from __future__ import annotations

from beanclear.importers import bank_csv, wechat_fund, wechat_trade
from beanclear.importers.base import StatementImporter

CHANNEL_IMPORTERS = {"wechat": (wechat_trade.Importer, wechat_fund.Importer)}
BANK_IMPORTERS = {"csv": (bank_csv.Importer,)}


def for_config(config) -> list[StatementImporter]:
    """One importer per (source, statement kind) the config describes, in name order."""
    out = []
    for name, channel in sorted(config.channels.items()):
        out += [cls(channel, config) for cls in CHANNEL_IMPORTERS[channel.type]]
    for name, bank in sorted(config.banks.items()):
        out += [cls(bank, config) for cls in BANK_IMPORTERS[bank.type]]
    return out


def from_config(path: str = "config.yaml") -> list[StatementImporter]:
    from beanclear import config
    return for_config(config.load(path))
