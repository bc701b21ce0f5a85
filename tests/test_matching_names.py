"""ChannelNames (which channels a bank line names) finds plain words by a dictionary
lookup on case-folded text instead of one alternation over every channel. These tests
hold it to the one-alternation answer it replaced, on overlapping names, letters that
`re.IGNORECASE` folds in unusual ways, and memos that are real regular expressions."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from types import SimpleNamespace as NS

from beanclear.matching import BankLine, ChannelNames


def reference(config, line) -> set[str]:
    """The former ChannelNames.of: one alternation, searched again from each hit + 1."""
    transit = {ch.accounts.transit: ch.name for ch in config.channels.values()}
    parts, groups = [], {}
    for n, channel in enumerate(config.channels.values()):
        names = [channel.payout_memo.pattern] + [re.escape(a) for a in config.match.aliases.get(channel.name, ())]
        parts.append(f"(?P<c{n}>" + "|".join(f"(?:{x})" for x in names) + ")")
        groups[f"c{n}"] = channel.name
    pattern = re.compile("|".join(parts), re.IGNORECASE)
    names = {transit[line.counter]} if line.counter in transit else set()
    at = 0
    while (hit := pattern.search(line.text, at)) is not None:
        names.add(groups[hit.lastgroup])
        at = hit.start() + 1
    return names


CHANNELS = [  # name, payout memo, aliases
    ("wechat", r"财付通|微信|tenpay|wechat", ["Tenpay Payments"]),
    ("wechat2", r"财付通|微信|tenpay|wechat", ["WeChat HK"]),
    ("stripe", "stripe", ["Stripe Payments UK", "ſtripe eu"]),
    ("c1", "never", ["C1 Pay"]),
    ("c12", "never", ["C12 Pay", "c1"]),
    ("kelvin", r"\bK(?:elvin)? ?\d+", ["KELVIN", "ǅemo"]),
    ("dotted", "never", ["A.B (HK) Ltd", "İstanbul"]),
    ("pingpong", r"pingpong|乒乓|呯嘭", []),
]

WORDS = ["wechat", "WECHAT", "WeChat HK", "财付通", "微信支付", "tenpay", "TENPAY PAYMENTS", "stripe", "STRİPE",
         "ſtripe", "Stripe Payments UK", "c1", "C1 Pay", "c12 pay", "C123 PAY", "K 12", "\u212a 12", "\u212aELVIN", "Kelvin7", "kelvin",
         "KELVIN", "ǆemo", "Ǆemo", "a.b (hk) ltd", "A.B (HK) LTD", "istanbul", "İstanbul", "i̇stanbul",
         "pingpong", "乒乓", "Customer", "转账", "never", "", " ", "-", "TRANSFER"]


def config_of(channels):
    return NS(channels={name: NS(name=name, payout_memo=re.compile(memo, re.IGNORECASE),
                                 accounts=NS(transit=f"Assets:Transit:{name}"))
                        for name, memo, _ in channels},
              match=NS(aliases={name: tuple(aliases) for name, _, aliases in channels}))


def line(payee, narration, counter="Assets:Suspense"):
    entry = NS(payee=payee, narration=narration, meta={})
    return BankLine(entry, "Assets:Bank:Ops", counter, Decimal(1), "CNY")


def test_names_agree_with_one_alternation_on_random_texts():
    rng = random.Random(15)
    for channels in (CHANNELS, CHANNELS[::-1], CHANNELS[2:5]):
        config = config_of(channels)
        names = ChannelNames(config)
        for _ in range(3000):
            text = [rng.choice(WORDS) for _ in range(rng.randrange(1, 5))]
            glue = rng.choice(["", " ", "/"])
            counter = rng.choice(["Assets:Suspense", "Assets:Transit:stripe"])
            bank_line = line(glue.join(text[:1]) or None, glue.join(text[1:]) or None, counter)
            assert names.of(bank_line) == reference(config, bank_line), bank_line.text


def test_where_two_channels_name_the_same_place_the_first_in_config_wins():
    config = config_of(CHANNELS)
    assert ChannelNames(config).of(line("WECHAT", "x")) == {"wechat"}
    assert ChannelNames(config).of(line("C1 Pay", None)) == {"c1"}   # c12's alias "c1" matches there too
    assert ChannelNames(config).of(line("C12 Pay", None)) == {"c12"}
    assert ChannelNames(config).of(line("Stripe Payments UK", None)) == {"stripe"}


def test_many_channels_of_the_same_memo_name_only_the_first():
    channels = [(f"shop{n}", r"财付通|微信|tenpay|wechat", [f"Shop {n} Ltd"]) for n in range(300)]
    config = config_of(channels)
    for text in ("财付通 Shop 123 Ltd", "shop 7 ltd", "TENPAY shop 299 LTD x"):
        assert ChannelNames(config).of(line(text, None)) == reference(config, line(text, None))
