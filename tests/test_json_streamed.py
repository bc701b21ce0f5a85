"""JSON API statements past text.STREAM_FROM read item by item (toolkit.jsonstream): the
items of a Stripe `list`, PayPal's transaction_details, Airwallex's items, one at a time
from text_stream's pieces, each parsed by read_json's rules. The values, their lines, the
books and the errors are read_json's and the whole read's; what the stream cannot say
as the whole read would, the importer reads whole."""

from __future__ import annotations

import json
import random
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from beanclear.books import idset, spill
from beanclear.importers import airwallex_settlements, airwallex_transactions, paypal_api, stripe_api
from beanclear.importers.toolkit import JsonObject, StatementError, json_line, read_json, text
from beanclear.importers.toolkit.jsonfile import snake
from beanclear.importers.toolkit import jsonstream
from beanclear.importers.toolkit.jsonstream import BrokenJson, Dropped, Unusual, json_items
from channel_util import CHANNELS, DATA
from conftest import sample
from test_mt940_streamed import outcome   # every part of an Extraction, or the error's message

WHOLE_READS = (stripe_api, paypal_api, airwallex_transactions)   # each reads whole through its read_json


@pytest.fixture
def cfg(make_config):
    return make_config(CHANNELS)


def importer(cfg, module, channel):
    return module.Importer(cfg.channels[channel], cfg)


def both(imp, path, monkeypatch, chunk=None, whole_allowed=True) -> tuple[tuple, tuple]:
    """(streamed, whole): the file read past the threshold (`chunk` bytes at a time; with
    `whole_allowed` False, a fall back to the whole read fails the test), and read whole."""
    with monkeypatch.context() as m:
        m.setattr(text, "STREAM_FROM", 10**12)
        whole = outcome(imp.parse, path)
    with monkeypatch.context() as m:
        m.setattr(text, "STREAM_FROM", 0)
        if chunk:
            m.setattr(text, "CHUNK", chunk)
        if not whole_allowed:
            for module in WHOLE_READS:
                m.setattr(module, "read_json", lambda p: pytest.fail(f"{p} was read whole"))
        streamed = outcome(imp.parse, path)
    return streamed, whole


# -- every sample and fixture ---------------------------------------------------------------

FILES = [*((stripe_api, "stripe", ("stripe_api_json", n)) for n in (
             "stripe-openapi-balance_transaction.json", "stripe-openapi-charge.json", "stripe-openapi-dispute.json",
             "stripe-openapi-fixtures3.json", "stripe-openapi-payout.json", "stripe-openapi-refund.json")),
         (paypal_api, "paypal", ("paypal_api_json", "srmklive-paypal-transaction-search-response.json")),
         (stripe_api, "stripe", DATA / "stripe" / "balance_transactions.json"),
         (paypal_api, "paypal", DATA / "paypal" / "transaction_search.json"),
         *((airwallex_transactions, "airwallex", DATA / "airwallex" / n)
           for n in ("financial_transactions.json", "financial_transactions_camel.json")),
         *((airwallex_settlements, "airwallex", DATA / "airwallex" / n)
           for n in ("settlements.json", "settlements_camel.json"))]


@pytest.mark.parametrize("chunk", [None, 1, 2, 3, 5, 7])
@pytest.mark.parametrize("module, channel, where", FILES, ids=lambda v: v[-1] if isinstance(v, tuple) else None)
def test_every_json_sample_streamed_gives_the_whole_reads_books(cfg, monkeypatch, module, channel, where, chunk):
    """A single object, a `list`, a mapping of resources (Stripe's fixtures), PayPal's
    response, Airwallex's in snake_case and camelCase: each read by the stream alone."""
    path = sample(*where) if isinstance(where, tuple) else where
    streamed, whole = both(importer(cfg, module, channel), path, monkeypatch, chunk, whole_allowed=False)
    assert whole[0] != "error" and whole[2] > 0 and streamed == whole


# -- the values and their lines are read_json's -----------------------------------------------

def canon(value):
    """A value as compared here: types exact (1 is not 1.0 is not Decimal 1), a Decimal's
    digits as written, each object with its line."""
    if isinstance(value, dict):
        return ("object", json_line(value), sorted((k, canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", [canon(v) for v in value])
    return (type(value).__name__, str(value) if isinstance(value, Decimal) else value)


def streamed_doc(path, keys=("data",), rename=None):
    """The document as the stream gives it: its items put back into the top-level object."""
    items = json_items(path, keys, rename)
    assert items is not None
    got = list(items)
    if items.fields is None:
        return got
    doc = JsonObject(items.fields)
    doc.line = items.fields.line
    if items.key is not None:
        doc[items.key] = got
    else:
        assert got == []
    return doc


TRAPS = ('\ufeff{"data":[{"id":"txn_\\"{[}]\\\\","n":1.50,"e":1E+2,"i":-0,"big":123456789012345678901234567890,'
         '"u":"\\u00e9\\ud83d\\ude00 \u00e9\U0001F600 \\/","nested":{"a":[1,[2,{"b":null}],{}],"t":true,'
         '"f":false,"k{":"v}"},"s":"a\\u0000b\\u001f\\u009fc\u2028d","\\u0000key":"ctl"} , \r\n {} , {"x" :[ ]},'
         '\n\n  {\r\n"deep": [[[[{"z": {"y": {}}}]]]] ,"dup":1,"dup":{"w":2}}, [{"q": 1}, "}{", "{"]\t]\r\n,'
         '"has_more"\t:\ttrue ,'
         ' "object":"list","url":"/v1/x{"}\r\n')


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 6, 7, 1024])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_strings_escapes_nesting_and_whitespace_across_every_cut(tmp_path, monkeypatch, chunk, newline):
    """Every byte a cut somewhere: escaped quotes, braces and brackets in strings, unicode
    escapes and surrogate pairs, nested arrays and objects, a key twice,
    control characters by escape, whitespace and line ends between any tokens, a BOM."""
    path = tmp_path / "t.json"
    path.write_text(TRAPS.replace("\r\n", newline), encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    whole = read_json(path)
    assert canon(streamed_doc(path)) == canon(whole)
    assert whole["data"][0]["s"] == "abc\u2028d" and "key" in whole["data"][0]


@pytest.mark.parametrize("chunk", [1, 7, 1024])
def test_a_lone_surrogate_is_refused_streamed_as_whole(tmp_path, monkeypatch, chunk):
    # No text holds it: the write of the books failed on it (a traceback). Dropped, an id is another.
    path = tmp_path / "t.json"
    path.write_text('{"data": [\n{"id": "a"},\n{"id": "x\\ud800"}]}', encoding="utf-8")
    with pytest.raises(StatementError, match=r"t.json:3: not valid JSON \('x\\ud800' holds a lone surrogate"):
        read_json(path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    with pytest.raises(StatementError, match=r"t.json:3: not valid JSON \('x\\ud800' holds a lone surrogate"):
        streamed_doc(path)


@pytest.mark.parametrize("body, keys, rename", [
    ('[\n{"a": 1},\n  {"b": [{"c": 2}]}\n]', ("data",), None),       # a bare array
    ('[]', ("data",), None),
    ('{}', ("data",), None),
    ('{"object": "balance_transaction", "id": "txn_1",\n "fee_details": [{"amount": 1}]}', ("data",), None),
    ('{"hasMore": true,\n "items": [\n{"batchId": "b"}]}', ("items",), snake),   # camelCase around snake_case keys
    ('{"Items": [{"x": 1}], "total": 2}', ("items",), snake),
    ('{"data": 5, "other": [1, 2]}', ("data",), None),                 # the key, but no array
    ('{"links": [{"href": "x"}], "transaction_details": [{"t": {"u": 1}}, {"t": {}}], "page": 1}',
     ("transaction_details",), None),
])
@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_each_shape_streamed_is_read_json(tmp_path, monkeypatch, body, keys, rename, chunk):
    path = tmp_path / "t.json"
    path.write_text(body, encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    whole = read_json(path)
    streamed = streamed_doc(path, keys, rename)
    if rename:
        whole, streamed = canon(whole), canon(streamed)
        whole = ("object", whole[1], sorted((rename(k), v) for k, v in whole[2]))
        streamed = ("object", streamed[1], sorted((rename(k), v) for k, v in streamed[2]))
        assert streamed == whole
    else:
        assert canon(streamed) == canon(whole)


def test_a_key_twice_at_the_top_is_left_to_the_whole_read(tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    path.write_text('{"data": [{"a": 1}], "has_more": false, "data": [{"b": 2}]}')
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    with pytest.raises(Unusual):
        streamed_doc(path)
    path.write_text('{"hasMore": false, "items": [], "has_more": true}')   # the same key in snake_case
    with pytest.raises(Unusual):
        streamed_doc(path, ("items",), snake)


# -- JSON that does not parse: read_json's error, at its line, from the stream itself ---------

BASE = '{\n  "data": [\n    {"id": "a", "amount": 1.5, "s": "x\\"y"},\n    {"id": "b", "n": [1, 2]}\n  ],\n' \
       '  "has_more": false\n}\n'
BROKEN = {
    "trailing garbage": BASE + "x",
    "a second document": BASE + '{"data": []}',
    "NaN": BASE.replace("1.5", "NaN"),
    "-Infinity in a field": BASE.replace("false", "-Infinity"),
    "leading zero": BASE.replace("1.5", "01.5"),
    "a point without digits": BASE.replace("1.5", "1."),
    "a bare minus": BASE.replace("1.5", "-"),
    "an exponent without digits": BASE.replace("[1, 2]", "[1e, 2]"),
    "a plus sign": BASE.replace("1.5", "+1.5"),
    "an exponent past Decimal's": BASE.replace("1.5", "1E+9999999999999999999"),
    "an unquoted key": BASE.replace('"amount"', "amount"),
    "single quotes": BASE.replace('"b"', "'b'"),
    "no colon": BASE.replace('"amount":', '"amount"'),
    "no comma between items": BASE.replace("},\n    {", "}\n    {"),
    "a comma before the array's end": BASE.replace("2]}\n", "2]},\n"),
    "a comma before an object's end": BASE.replace('"x\\"y"}', '"x\\"y",}'),
    "a comma before the top's end": BASE.replace("false\n", "false,\n"),
    "an escape that is none": BASE.replace('x\\"y', "x\\qy"),
    "a broken unicode escape": BASE.replace('x\\"y', "x\\u12G4y"),
    "a line end in a string": BASE.replace('x\\"y', "x\ny"),
    "a literal cut short": BASE.replace("false", "fals"),
    "a top-level key cut": BASE.replace('"has_more"', '"has_more'),
    "an empty value": BASE.replace("false", ""),
}


@pytest.mark.parametrize("through", [False, True])
@pytest.mark.parametrize("chunk", [1, 4, 7, 1024])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_json_is_read_jsons_error_at_its_line(tmp_path, monkeypatch, name, chunk, through):
    """Streamed, or with every member read through (no items key, HELD_UP_TO 0): JSON that
    does not parse is read_json's error at its line all the same."""
    path = tmp_path / "b.json"
    path.write_text(BROKEN[name], encoding="utf-8")
    with pytest.raises(StatementError) as whole:
        read_json(path)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    if through:
        monkeypatch.setattr(jsonstream, "HELD_UP_TO", 0)
    with pytest.raises(BrokenJson) as streamed:
        list(json_items(path, ("none",))) if through else streamed_doc(path)
    assert str(streamed.value) == str(whole.value)


@pytest.mark.parametrize("chunk", [1, 3, 1024])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_cut_off_anywhere_says_what_read_json_says(tmp_path, monkeypatch, chunk, newline):
    body = BASE.replace("\n", newline)
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", chunk)
    path = tmp_path / "c.json"
    for end in range(1, len(body)):
        path.write_text(body[:end], encoding="utf-8", newline="")
        try:
            whole = canon(read_json(path))
        except StatementError as exc:
            whole = str(exc)
        try:
            streamed = canon(streamed_doc(path))
        except BrokenJson as exc:
            streamed = str(exc)
        assert streamed == whole, body[:end]
        assert isinstance(whole, str) or body[:end].rstrip() == body.rstrip()


# -- broken statements: the whole read's error, whoever finds it --------------------------------

def stripe_list(n: int, has_more: bool = False, changes: dict | None = None) -> dict:
    """A `list` of n charges (every 5th a payout) as the Stripe API gives it."""
    data = []
    for i in range(n):
        payout = i % 5 == 4
        amount = -3000 if payout else 1000 + i
        fee = 0 if payout else 59
        data.append({"id": f"txn_{i:06d}", "object": "balance_transaction", "amount": amount, "fee": fee,
                     "net": amount - fee, "currency": "usd", "created": 1772441100 + 60 * i,
                     "available_on": 1772582400, "description": f"Order {i}", "exchange_rate": None,
                     "fee_details": [{"amount": fee, "currency": "usd", "type": "stripe_fee"}] if fee else [],
                     "reporting_category": "payout" if payout else "charge",
                     "source": f"po_{i:06d}" if payout else f"ch_{i:06d}", "status": "available",
                     "type": "payout" if payout else "charge", **(changes or {}).get(i, {})})
    return {"object": "list", "url": "/v1/balance_transactions", "has_more": has_more, "data": data}


def fetched(doc) -> str:
    """As ledger/live/fetch writes a day: sorted keys (`data` before `has_more`), indent 2."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


STRIPE = fetched(stripe_list(6))
PAYPAL = (DATA / "paypal" / "transaction_search.json").read_text(encoding="utf-8")
AIRWALLEX = (DATA / "airwallex" / "financial_transactions.json").read_text(encoding="utf-8")
BROKEN_STATEMENTS = {
    "stripe: an item that is not an object": (stripe_api, "stripe", STRIPE.replace('"data": [\n', '"data": [\n5,\n')),
    "stripe: a missing amount": (stripe_api, "stripe", fetched(stripe_list(6, changes={2: {"amount": None}}))),
    "stripe: an unknown category": (stripe_api, "stripe", fetched(
        stripe_list(6, changes={3: {"reporting_category": "x", "type": "x"}}))),
    "stripe: a bad item, then a file cut off": (stripe_api, "stripe", fetched(
        stripe_list(6, changes={1: {"net": 1}}))[:-30]),
    "stripe: a bad item, then one not an object": (stripe_api, "stripe", fetched(
        stripe_list(6, changes={1: {"net": 1}})).replace("}\n  ],", "},\n []\n  ],")),
    "stripe: nested past the stack": (stripe_api, "stripe", STRIPE.replace('"data": [\n', '"data": [\n'
                                                                            + "[" * 3000 + "]" * 3000 + ",\n")),
    "stripe: data and another object": (stripe_api, "stripe", STRIPE.replace('"object": "list"', '"other": {}')),
    "paypal: an unknown event code": (paypal_api, "paypal", PAYPAL.replace('"T0006"', '"T9999"', 1)),
    "paypal: a conversion without its reference": (paypal_api, "paypal", PAYPAL.replace(
        '"paypal_reference_id": "7MS26873MK0941742",', "", 1)),
    "paypal: a row without transaction_info": (paypal_api, "paypal", PAYPAL.replace('"transaction_info"', '"x"', 2)),
    "paypal: no transaction_details": (paypal_api, "paypal", PAYPAL.replace('"transaction_details"', '"details"')),
    "paypal: a bare array": (paypal_api, "paypal", '[{"transaction_info": {}}]'),
    "airwallex: an unknown type": (airwallex_transactions, "airwallex", AIRWALLEX.replace('"FEE"', '"FOO"')),
    "airwallex: an item not an object": (airwallex_transactions, "airwallex", AIRWALLEX.replace('"items": [',
                                                                                                  '"items": [null,')),
    "airwallex: a conversion of one leg": (airwallex_transactions, "airwallex", AIRWALLEX.replace(
        '"source_id": "conv_0001", "source_type": "CONVERSION", "transaction_type": "CONVERSION_BUY"',
        '"source_id": "conv_0002", "source_type": "CONVERSION", "transaction_type": "CONVERSION_BUY"')),
    "airwallex: no items": (airwallex_transactions, "airwallex", '{"has_more": false, "data": []}'),
    "airwallex: a missing status": (airwallex_transactions, "airwallex", AIRWALLEX.replace('"status": "SETTLED",', "",
                                                                                            1)),
    # the response's shape, refused by the whole read whatever its items: said by the stream itself
    "stripe: a list without its data array": (stripe_api, "stripe", STRIPE.replace('"data"', '"items"')),
    "stripe: a list whose data is an object": (stripe_api, "stripe", STRIPE.replace('"data": [', '"data": {"x": [')
                                               .replace("\n  ],", '\n  ], "y": {}},')),
    "stripe: a mapping with an array first": (stripe_api, "stripe", STRIPE.replace('"object": "list"', '"x": {}')),
    "stripe: a mapping with an array after": (stripe_api, "stripe", STRIPE.replace('"object": "list"', '"x": {}')
                                              .replace('"data"', '"zdata"')),
    "stripe: a string": (stripe_api, "stripe", '\n  "not a response"\n'),
    "stripe: null": (stripe_api, "stripe", "null"),
    "stripe: a number past the digits limit": (stripe_api, "stripe", STRIPE.replace('"amount": 1000,',
                                                                                     '"amount": 1' + "0" * 5000 + ",")),
    "paypal: transaction_details an object": (paypal_api, "paypal", PAYPAL.replace('"transaction_details": [',
                                                                                   '"transaction_details": {"x": [')
                                              .replace("\n  ],", "\n  ]},", 1)),
    "paypal: a bare array, its items read through": (paypal_api, "paypal", '[{"transaction_info": {}},\n 5, [}]'),
    "paypal: a number": (paypal_api, "paypal", "12"),
    "airwallex: items an object": (airwallex_transactions, "airwallex", AIRWALLEX.replace('"items": [', '"items": {"x": [')
                                   .replace("]\n}", "]}\n}")),
    "airwallex: no items, a long other array": (airwallex_transactions, "airwallex", AIRWALLEX.replace('"items"',
                                                                                                       '"data"')),
    "airwallex: a string": (airwallex_transactions, "airwallex", '"items"'),
}
# Shapes the stream gave up on (read whole only to say the whole read's error): said by the
# stream, the whole read's message at its line.
SHAPES = {"airwallex: no items", "paypal: no transaction_details", "stripe: data and another object",
          "paypal: a bare array", *(name for name in BROKEN_STATEMENTS if name.split(": ")[1] in (
              "a list without its data array", "a list whose data is an object", "a mapping with an array first",
              "a mapping with an array after", "a string", "null", "transaction_details an object",
              "a bare array, its items read through", "a number", "items an object", "no items, a long other array"))}


UNUSUAL = {   # read whole: the stream cannot tell what the whole read makes of them
    "stripe: data twice": STRIPE.replace('"has_more"', '"data": [], "has_more"'),
    "stripe: a list of something else": STRIPE.replace('"object": "list"', '"object": "payout_list"'),
    "stripe: a single object with a data array": '{"object": "charge", "id": "ch_1", "data": [{"object": "x"}]}',
}


@pytest.mark.parametrize("chunk", [None, 3])
@pytest.mark.parametrize("name", sorted(BROKEN_STATEMENTS) + sorted(UNUSUAL))
def test_each_error_of_the_whole_read_is_raised_streamed(cfg, tmp_path, monkeypatch, name, chunk):
    module, channel, body = BROKEN_STATEMENTS.get(name) or (stripe_api, "stripe", UNUSUAL[name])
    path = tmp_path / "s.json"
    path.write_text(body, encoding="utf-8")
    streamed, whole = both(importer(cfg, module, channel), path, monkeypatch, chunk)
    assert streamed == whole and (whole[0] == "error") == (name in BROKEN_STATEMENTS)
    if name.endswith("then a file cut off"):
        assert "not valid JSON" in whole[1]   # the JSON's error comes first
    if name.endswith("then one not an object"):
        assert "expected a Stripe object" in whole[1]


@pytest.mark.parametrize("name", sorted(BROKEN_STATEMENTS))
def test_a_large_file_says_the_streams_error_without_reading_it_whole(cfg, tmp_path, monkeypatch, name):
    """Past text.ERRORS_WHOLE_UP_TO the file is not read again whole (9 times its bytes)
    only to say the error the whole read says first: the stream's own is said; of the
    response's shape (no list of items, a list beside another object, a bare array where
    an object is expected), the whole read's, at its line."""
    module, channel, body = BROKEN_STATEMENTS[name]
    path = tmp_path / "s.json"
    path.write_text(body, encoding="utf-8")
    _, whole = both(importer(cfg, module, channel), path, monkeypatch)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    streamed, _ = both(importer(cfg, module, channel), path, monkeypatch, whole_allowed=False)
    assert streamed[0] == whole[0] == "error" and streamed[1].startswith(f"{path}:"), streamed
    if name in SHAPES:
        assert streamed == whole
    if name.endswith("past the stack"):   # read_json's own stack runs out first: its words, not its line
        assert streamed[1].startswith(f"{path}:1: not valid JSON (maximum recursion depth exceeded"), streamed


@pytest.mark.parametrize("name", sorted(SHAPES - {"stripe: a list whose data is an object"}))
def test_a_shape_is_said_streamed_however_long_its_members(cfg, tmp_path, monkeypatch, name):
    """The same with every member of the response past jsonstream.HELD_UP_TO: read through,
    never held, the error the whole read's all the same. (A Stripe list's data that is an
    object, long, is read whole: what the whole read makes of it is in it, a mapping of
    objects it may book.)"""
    module, channel, body = BROKEN_STATEMENTS[name]
    path = tmp_path / "s.json"
    path.write_text(body, encoding="utf-8")
    _, whole = both(importer(cfg, module, channel), path, monkeypatch)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    monkeypatch.setattr(jsonstream, "HELD_UP_TO", 0)
    streamed, _ = both(importer(cfg, module, channel), path, monkeypatch, 3, whole_allowed=False)
    assert streamed == whole and whole[0] == "error"


@pytest.mark.parametrize("body, keys", [
    ('{"object": "list", "items": [{"a": 1}, {"b": [1, {"c": 2}]}], "url": "/v1/x", "more": {"k": [1, 2]}}',
     ("data",)),
    ('{"x": {"y": {"z": [1, 2, 3]}, "w": "long string value"}, "data": [{"a": 1}], "t": [[1], [2]]}', ("data",)),
])
@pytest.mark.parametrize("limit", [0, 5, 10**6])
def test_a_member_past_the_limit_is_read_through_and_dropped(tmp_path, monkeypatch, body, keys, limit):
    """The members other than the items' array: held as read_json reads them up to
    HELD_UP_TO characters, past it Dropped (an array's or object's kind kept)."""
    path = tmp_path / "t.json"
    path.write_text(body, encoding="utf-8")
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", 3)
    monkeypatch.setattr(jsonstream, "HELD_UP_TO", limit)
    whole = read_json(path)
    items = json_items(path, keys)
    got = list(items)
    assert got == whole.get("data", [])
    for key, value in whole.items():
        if key == items.key:
            continue
        held = items.fields[key]
        if isinstance(value, (dict, list)) and len(json.dumps(value)) > limit + 3:
            assert isinstance(held, Dropped) and held.kind == ("array" if isinstance(value, list) else "object")
        else:
            assert canon(held) == canon(value)


def test_a_list_without_its_data_holds_far_less_than_the_whole_read(cfg, tmp_path, monkeypatch):
    """2,500 balance transactions under a key the stream does not stream (an export's
    `items`): the stream reads them through one at a time (~1/20 of the whole read's
    peak) and says the whole read's error. What the stream holds is bounded by its
    constants, not the file: a piece of the text (text.CHUNK) and a member up to
    jsonstream.HELD_UP_TO, here both 64 KiB, a sixteenth of their own, so that a file
    an eighth the length (20,000 transactions, at 1 MiB) shows the same proportion."""
    monkeypatch.setattr(text, "CHUNK", 2**16)
    monkeypatch.setattr(jsonstream, "HELD_UP_TO", 2**16)
    doc = stripe_list(2_500)
    doc["items"] = doc.pop("data")
    path = tmp_path / "bt.json"
    path.write_text(fetched(doc), encoding="utf-8")
    imp = importer(cfg, stripe_api, "stripe")

    def peak(work) -> tuple[int, str]:
        tracemalloc.start()
        try:
            try:
                work()
            except StatementError as exc:
                return tracemalloc.get_traced_memory()[1], str(exc)
            raise AssertionError("no error")
        finally:
            tracemalloc.stop()

    whole, said = peak(lambda: imp._whole(str(path)))
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "ERRORS_WHOLE_UP_TO", 0)
    monkeypatch.setattr(stripe_api, "read_json", lambda p: pytest.fail(f"{p} was read whole"))
    streamed, streamed_said = peak(lambda: imp.parse(str(path)))
    assert streamed_said == said == f'{path}:1: expected a Stripe object (with an "object" field), got nothing'
    assert streamed * 10 < whole, (streamed, whole)


# -- statements of many items: the books, notes, ids kept on disk ------------------------------

@pytest.mark.parametrize("limit", [3, 100_000])
def test_a_fetched_stripe_day_streamed(cfg, tmp_path, monkeypatch, limit):
    """`data` before `has_more` (sorted keys): the note comes first all the same; the ids
    of the entries made (a payout and its balance transaction are one) on disk past the
    limit of an Ids."""
    monkeypatch.setattr(idset, "LIMIT_IDS", limit)
    doc = stripe_list(40, has_more=True)
    doc["data"].append({"object": "payout", "id": "po_000004", "amount": 3000, "currency": "usd", "created": 1772441400,
                        "arrival_date": 1772582400, "status": "paid", "balance_transaction": "txn_000004"})
    path = tmp_path / "balance-transactions-2026-03-01.json"
    path.write_text(fetched(doc), encoding="utf-8")
    streamed, whole = both(importer(cfg, stripe_api, "stripe"), path, monkeypatch, whole_allowed=False)
    assert streamed == whole and whole[2] == 41 and len(whole[1]) == 40
    assert whole[4] == ["the list says has_more: later pages are not in this file"]


def paypal_response(n: int) -> dict:
    """n payments in EUR, each with its conversion pair to USD, and a few on their own."""
    details = []
    for i in range(n):
        when = f"2026-02-03T{9 + i % 12:02d}:{i % 60:02d}:00+0000"
        pay, sold, bought = f"PAY{i:014d}", f"SLD{i:014d}", f"BGT{i:014d}"
        details += [
            {"transaction_info": {"transaction_id": pay, "transaction_event_code": "T0006",
                                  "transaction_initiation_date": when, "transaction_status": "S",
                                  "transaction_amount": {"currency_code": "EUR", "value": "80.00"},
                                  "fee_amount": {"currency_code": "EUR", "value": "-2.97"}, "invoice_id": f"{i}"},
             "payer_info": {"email_address": f"p{i}@example.com", "payer_name": {"alternate_full_name": f"P {i}"}}},
            {"transaction_info": {"transaction_id": sold, "paypal_reference_id": pay, "transaction_event_code": "T0200",
                                  "transaction_initiation_date": when, "transaction_status": "S",
                                  "transaction_amount": {"currency_code": "EUR", "value": "-77.03"}}},
            {"transaction_info": {"transaction_id": bought, "paypal_reference_id": pay,
                                  "transaction_event_code": "T0200", "transaction_initiation_date": when,
                                  "transaction_status": "S",
                                  "transaction_amount": {"currency_code": "USD", "value": "82.61"}}}][i % 7 == 6:]
    return {"account_number": "ABCD1234", "transaction_details": details, "page": 1, "total_pages": 3,
            "total_items": len(details), "links": [{"href": "https://api.paypal.com/v1/next", "rel": "next"}]}


@pytest.mark.parametrize("limit", [2, 100_000])
def test_paypal_conversions_and_pages_streamed(cfg, tmp_path, monkeypatch, limit):
    """Three passes over the file (conversion ids, pairs, rows), none held; the page note
    and the account, which come after the rows in a fetched file, as read whole."""
    monkeypatch.setattr(idset, "LIMIT_IDS", limit)
    path = tmp_path / "transactions.json"
    path.write_text(fetched(paypal_response(30)), encoding="utf-8")
    streamed, whole = both(importer(cfg, paypal_api, "paypal"), path, monkeypatch, whole_allowed=False)
    assert streamed == whole and whole[2] == 86
    assert whole[4] == ["page 1 of 3: later pages are not in this file"] and whole[6] == "ABCD1234"
    assert "General Currency Conversion" in whole[0]   # the pair of the 7th payment books on its own


def airwallex_items_doc(n: int, camel: bool) -> dict:
    """Payments and conversions, each conversion's two legs apart in the file."""
    items = []
    for i in range(n):
        base = {"currency": "USD", "status": "SETTLED", "created_at": f"2026-03-0{1 + i % 9}T08:00:00+0000",
                "batch_id": f"bat_{i % 3}", "client_rate": None, "currency_pair": None}
        items.append({**base, "id": f"p{i}", "amount": Decimal("100.00") + i, "fee": Decimal("2.90"),
                      "source_id": f"int_{i}", "transaction_type": "PAYMENT", "description": f"Order {i}"})
        items.append({**base, "id": f"s{i}", "amount": Decimal("-50.00"), "fee": 0, "source_id": f"conv_{i}",
                      "transaction_type": "CONVERSION_SELL", "client_rate": Decimal("7.1234")})
    for i in range(n):   # the bought legs, after every sold one
        items.append({"id": f"b{i}", "amount": Decimal("356.17"), "fee": 0, "currency": "CNY", "status": "SETTLED",
                      "created_at": f"2026-03-0{1 + i % 9}T08:00:00+0000", "source_id": f"conv_{i}",
                      "transaction_type": "CONVERSION_BUY", "client_rate": Decimal("7.1234"), "batch_id": None})
    if camel:
        names = {"created_at": "createdAt", "source_id": "sourceId", "transaction_type": "transactionType"}
        items = [{names.get(k, k): v for k, v in item.items()} for item in items]
        return {"hasMore": False, "items": items}
    return {"has_more": False, "items": items}


@pytest.mark.parametrize("camel", [False, True])
@pytest.mark.parametrize("limit", [3, 100_000])
def test_airwallex_conversion_legs_streamed(cfg, tmp_path, monkeypatch, camel, limit):
    """The legs of each conversion kept by its source_id until the end (on disk past the
    limit of an Ids), booked in the order first met, as the whole read books them."""
    monkeypatch.setattr(idset, "LIMIT_IDS", limit)
    path = tmp_path / "ft.json"
    numbers = json.dumps(airwallex_items_doc(25, camel), indent=1, ensure_ascii=False, default=lambda d: f"\u00a7{d}\u00a7")
    path.write_text(numbers.replace('"\u00a7', "").replace('\u00a7"', ""), encoding="utf-8")   # Decimals as numbers
    streamed, whole = both(importer(cfg, airwallex_transactions, "airwallex"), path, monkeypatch, whole_allowed=False)
    assert streamed == whole and whole[2] == 75 and len(whole[1]) == 50


def test_progress_is_reported_in_bytes_of_the_file(cfg, tmp_path, monkeypatch):
    path = tmp_path / "bt.json"
    path.write_text(fetched(stripe_list(12_000)), encoding="utf-8")
    imp = importer(cfg, stripe_api, "stripe")
    seen = []
    imp.on_progress = lambda done, total: seen.append((done, total))
    monkeypatch.setattr(text, "STREAM_FROM", 0)
    monkeypatch.setattr(text, "CHUNK", 4096)
    assert imp.parse(str(path)).rows == 12_000
    size = path.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 2 and all(t == size for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_streaming_holds_far_less_than_the_whole_read(cfg, tmp_path, monkeypatch):
    """A fetched day of 4,500 balance transactions (2.2 MiB, past STREAM_FROM made 2 MiB):
    the import holds an item and a piece of the text, not the parsed file (and, as for
    every import, the entries up to spill.LIMIT: made small here, as the piece is,
    text.CHUNK: 64 KiB, not 1 MiB, so that a file just past the threshold shows what
    20,000 transactions showed at 1 MiB; holding the file's text would fail it)."""
    monkeypatch.setattr(spill, "LIMIT", 500)
    monkeypatch.setattr(text, "CHUNK", 2**16)
    # (and the threshold made small too: a day of 4,500 shows it, in half the time)
    monkeypatch.setattr(text, "STREAM_FROM", 2**21)
    path = tmp_path / "bt.json"
    path.write_text(fetched(stripe_list(4_500)), encoding="utf-8")
    assert path.stat().st_size > text.STREAM_FROM
    imp = importer(cfg, stripe_api, "stripe")

    def peak(work) -> int:
        tracemalloc.start()
        try:
            work()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    whole = peak(lambda: read_json(path))
    items = peak(lambda: all(isinstance(item, dict) for item in json_items(path, ("data",))))
    streamed = peak(lambda: imp.parse(str(path)))
    assert items * 10 < whole and streamed * 5 < whole, (items, streamed, whole)


# -- generated documents ---------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**25, 10**25),
                    st.decimals(allow_nan=False, allow_infinity=False), st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.lists(st.tuples(st.text(max_size=5), inner), max_size=4), max_leaves=12)


def dumped(value, rnd: random.Random) -> str:
    """JSON with whitespace and line ends of every kind between tokens, strings escaped
    or not (surrogate pairs), and objects given as pairs (a key may come twice)."""
    def ws():
        return rnd.choice(["", "", " ", "\n", "\r\n", "\t ", "\r", "\n\n  "])

    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return "{" + ws() + ("," + ws()).join(f"{dumped(k, rnd)}{ws()}:{ws()}{dumped(v, rnd)}{ws()}"
                                              for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ws() + ("," + ws()).join(dumped(v, rnd) + ws() for v in value) + "]"
    if isinstance(value, str):
        out = json.dumps(value, ensure_ascii=rnd.random() < 0.5)
        return out.replace("/", "\\/") if rnd.random() < 0.3 else out
    if isinstance(value, Decimal):
        return str(value)   # `1.50`, `1E+2`, `-0`, `0E-7`: JSON numbers as written
    return json.dumps(value)


@st.composite
def documents(draw) -> tuple[str, tuple]:
    """A bare array of objects, or an object with the items' array among small members."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    items = draw(st.lists(st.lists(st.tuples(st.text(max_size=5), VALUES), max_size=5), max_size=6))
    if draw(st.booleans()):
        return dumped(items, rnd), ("data",)
    names = draw(st.lists(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), unique=True, max_size=4))
    members = [(n, draw(VALUES)) for n in names if n != "data"]
    members.insert(draw(st.integers(0, len(members))), ("data", items))
    body = dumped(members, rnd)
    return ("\ufeff" if draw(st.booleans()) else "") + body + draw(st.sampled_from(["", "\n", "\r\n  "])), ("data",)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents(), st.integers(1, 40))
def test_generated_documents_streamed_are_read_json(tmp_path, monkeypatch, document, chunk):
    body, keys = document
    path = tmp_path / "g.json"
    path.write_text(body, encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(text, "STREAM_FROM", 0)
        m.setattr(text, "CHUNK", chunk)
        try:
            whole = canon(read_json(path))
        except StatementError:   # text that looks garbled (`À\x80À`): read_text says so, read whole
            assert json_items(path, keys) is None
            return
        assert canon(streamed_doc(path, keys)) == whole


# -- the account a response states of itself, for identify() (jsonstream.stated_member) ------

ROWS = [{"transaction_info": {"transaction_id": f"T{n}", "subject": 'a "quoted" [bracket] {brace} \\ end\\',
                              "account_number": "NESTED", "amount": {"value": "1.00"}},
         "cart_info": {"item_details": [{"item_name": "x]}" * n}, [[[[[[[["deep"]]]]]]]]]}, "n": n, "ok": True,
         "none": None} for n in range(40)]


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 2**20])
@pytest.mark.parametrize("doc, stated", [
    ({"transaction_details": ROWS, "account_number": "ABCD1234", "page": 1}, "ABCD1234"),   # after the rows
    ({"account_number": "ABCD1234", "transaction_details": ROWS}, "ABCD1234"),               # before them
    ({"transaction_details": ROWS, "links": [{"account_number": "NO"}], "page": 1}, None),  # only rows' and links'
    ({"transaction_details": ROWS, "account_number": 1234}, None),                           # no string
    ([{"account_number": "ABCD1234"}], None),                                                # no object
])
def test_the_member_a_response_states_is_its_top_level_ones_wherever_it_stands(tmp_path, monkeypatch, chunk, doc,
                                                                              stated):
    monkeypatch.setattr(text, "CHUNK", chunk)   # pieces cut anywhere: in strings, escapes, numbers
    path = tmp_path / "response.json"
    path.write_text(json.dumps(doc, indent=None if chunk == 3 else 2), encoding="utf-8")
    assert jsonstream.stated_member(path, "account_number") == stated


@pytest.mark.parametrize("raw, stated", [
    ('{"account\\u005fnumber": "ABCD1234", "transaction_details": []}', "ABCD1234"),   # the key as json reads it
    ('\ufeff{"transaction_details": [], "account_number": "ABCD1234"}', "ABCD1234"),   # a BOM
    ('{"transaction_details": [{"a": "b"], "account_number": "ABCD1234"', None),       # broken: parse() says it
    ('{"transaction_details": [{"a": "unended}], "account_number": "X"}', None),
    ('{"transaction_details": [], "account_number": "ABCD1234"', "ABCD1234"),          # (stops at the member)
    ("", None),
])
def test_the_member_a_response_states_of_odd_text(tmp_path, raw, stated):
    path = tmp_path / "response.json"
    path.write_text(raw, encoding="utf-8")
    assert jsonstream.stated_member(path, "account_number") == stated


def test_the_member_a_large_response_states_after_its_rows_is_found_holding_a_piece_of_it(tmp_path):
    import gzip
    rows = json.dumps(ROWS[:10])
    path = tmp_path / "response.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write('{"transaction_details": [')
        for n in range(2000):
            fh.write(("," if n else "") + rows[1:-1])
        fh.write('], "account_number": "ABCD1234"}')
    assert len(gzip.decompress(path.read_bytes())) > 3 * text.CHUNK
    tracemalloc.start()
    try:
        assert jsonstream.stated_member(path, "account_number") == "ABCD1234"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * text.CHUNK
