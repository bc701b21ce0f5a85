"""Which importers read which source types, built from config.yaml.

beangulp and Fava's import page can use the same importers:

    # import.py
    import beangulp
    from beanclear.importers.registry import from_config
    if __name__ == "__main__":
        beangulp.Ingest(from_config("config.yaml"))()   # python import.py extract statements/
"""

from __future__ import annotations

from beanclear.importers import (airwallex_settlements, airwallex_transactions, bank_csv, paypal_api,
                                 paypal_balances, paypal_csv, pingpong, stripe_api, stripe_balance_csv, stripe_fees,
                                 stripe_payments, wechat_fund, wechat_trade)
from beanclear.importers import douyin_orders, jd_orders, orders_csv, pinduoduo_orders, shopify_orders, taobao_orders
from beanclear.importers import camt053, mt940, ofx
from beanclear.importers import (alipay_fund, alipay_personal, alipay_trade, alipay_web, bank_presets, jd_personal,
                                 wechat_personal)
from beanclear.importers.base import StatementImporter

CHANNEL_IMPORTERS = {
    "wechat": (wechat_trade.Importer, wechat_fund.Importer),
    "stripe": (stripe_balance_csv.Importer, stripe_payments.Importer, stripe_fees.Importer, stripe_api.Importer),
    "paypal": (paypal_csv.Importer, paypal_api.Importer, paypal_balances.Importer),
    "airwallex": (airwallex_transactions.Importer, airwallex_settlements.Importer),
    "pingpong": (pingpong.Importer,),
    "alipay": (alipay_trade.Importer, alipay_fund.Importer),
    "alipay-personal": (alipay_personal.Importer, alipay_web.Importer),
    "wechat-personal": (wechat_personal.Importer,),
    "jd-personal": (jd_personal.Importer,),
}
BANK_IMPORTERS = {"csv": (bank_csv.Importer,), "ofx": (ofx.Importer,), "camt053": (camt053.Importer,),
                  "mt940": (mt940.Importer,), **{name: (bank_csv.Importer,) for name in bank_presets.PRESETS}}
SHOP_IMPORTERS = {"shopify": (shopify_orders.Importer,), "taobao": (taobao_orders.Importer,),
                  "douyin": (douyin_orders.Importer,), "pinduoduo": (pinduoduo_orders.Importer,),
                  "jd": (jd_orders.Importer,), "orders-csv": (orders_csv.Importer,)}


def summary_of(head: str) -> str | None:
    """What a file is, where it is a summary a download holds beside one of its
    statements (an importer's `summary_file`: Alipay's 汇总), by the start of it; else None."""
    for classes in (*CHANNEL_IMPORTERS.values(), *BANK_IMPORTERS.values(), *SHOP_IMPORTERS.values()):
        for cls in classes:
            said = cls.summary_file.said(head, getattr(cls, "HEADER", ())) if cls.summary_file is not None else None
            if said is not None:
                return said
    return None


def for_config(config) -> list[StatementImporter]:
    """One importer per (source, statement kind) the config describes, in name order."""
    out = []
    for name, channel in sorted(config.channels.items()):
        out += [cls(channel, config) for cls in CHANNEL_IMPORTERS[channel.type]]
    for name, bank in sorted(config.banks.items()):
        out += [cls(bank, config) for kind in bank.types for cls in BANK_IMPORTERS[kind]]
    for name, shop in sorted(config.shops.items()):
        out += [cls(shop, config) for cls in SHOP_IMPORTERS[shop.type]]
    return out


def from_config(path: str = "config.yaml") -> list[StatementImporter]:
    from beanclear import config
    return for_config(config.load(path))
