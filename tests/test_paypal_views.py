"""PayPal's two views of one account: the activity download (CSV) and the Transaction
Search API's response (JSON) of the same days. Each books a row by its Transaction ID,
so either file, or both in any order, must write the same books (DESIGN §2): the same
narration and metadata for an event whichever file states it, and one opening."""

from __future__ import annotations

import filecmp
import json

from conftest import beanclear

CONFIG = """\
books: books
currency: USD
timezone: America/Los_Angeles
channels:
  paypal: {type: paypal, currency: USD}
"""
HEADER = ('"Date","Time","TimeZone","Name","Type","Status","Currency","Gross","Fee","Net","From Email Address",'
          '"To Email Address","Transaction ID","Reference Txn ID","Invoice Number","Balance","Balance Impact"')
CSV = [HEADER,
       '"04/21/2026","10:00:00","PDT","Ava Smith","Express Checkout Payment","Completed","USD","100.00","-3.98",'
       '"96.02","ava@example.com","shop@example.com","7AB12345CD678901E","","INV-1","196.02","Credit"',
       '"04/22/2026","06:00:00","PDT","Bank Account","General Withdrawal","Completed","USD","-196.02","0.00",'
       '"-196.02","shop@example.com","","8AB12345CD678901F","","","0.00","Debit"',
       # PayPal's own row: the account's address on both sides, no payer in the response
       '"04/22/2026","08:00:00","PDT","","Payment Release","Completed","USD","50.00","0.00","50.00",'
       '"shop@example.com","shop@example.com","9AB12345CD678901H","5HOLD000000000001","INV-1","50.00","Credit"']


def _info(ident, code, when, gross, balance, fee=None, invoice=None):
    info = {"transaction_id": ident, "transaction_event_code": code, "transaction_initiation_date": when,
            "transaction_updated_date": when, "transaction_amount": {"currency_code": "USD", "value": gross},
            "transaction_status": "S", "ending_balance": {"currency_code": "USD", "value": balance}}
    if fee:
        info["fee_amount"] = {"currency_code": "USD", "value": fee}
    if invoice:
        info["invoice_id"] = invoice
    return info


RESPONSE = {"transaction_details": [
    {"transaction_info": _info("7AB12345CD678901E", "T0006", "2026-04-21T17:00:00+0000", "100.00", "196.02",
                               "-3.98", "INV-1"),
     "payer_info": {"email_address": "ava@example.com", "payer_name": {"alternate_full_name": "Ava Smith"}}},
    {"transaction_info": _info("8AB12345CD678901F", "T0400", "2026-04-22T13:00:00+0000", "-196.02", "0.00")},
    {"transaction_info": {**_info("9AB12345CD678901H", "T2108", "2026-04-22T15:00:00+0000", "50.00", "50.00",
                                  invoice="INV-1"), "paypal_reference_id": "5HOLD000000000001"}}],
    "account_number": "LAKESIDE8PRINTS", "start_date": "2026-04-21T00:00:00-0700",
    "end_date": "2026-04-22T23:59:59-0700", "last_refreshed_datetime": "2026-04-23T00:00:00+0000", "page": 1,
    "total_items": 3, "total_pages": 1, "links": []}


def _merchant(folder):
    folder.mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "apr.csv").write_text("\n".join(CSV) + "\n", encoding="utf-8")
    (folder / "apr.json").write_text(json.dumps(RESPONSE), encoding="utf-8")
    return folder


def _same_tree(one, other) -> list[str]:
    """The files that differ between two books folders (none: byte-identical)."""
    cmp = filecmp.dircmp(one, other)
    out = [str(one / name) for name in cmp.left_only + cmp.right_only]
    out += [str(one / name) for name in cmp.common_files if (one / name).read_bytes() != (other / name).read_bytes()]
    return out + [d for sub in cmp.common_dirs for d in _same_tree(one / sub, other / sub)]


def test_the_download_and_the_search_response_book_the_same_whatever_the_order(tmp_path):
    """The tester's April: CSV then JSON, JSON then CSV, and each pair in one import, give
    byte-identical books; the response names each event as the download does."""
    orders = {"csv-json": [["apr.csv"], ["apr.json"]], "json-csv": [["apr.json"], ["apr.csv"]],
              "one-json-csv": [["apr.json", "apr.csv"]], "one-csv-json": [["apr.csv", "apr.json"]]}
    for name, imports in orders.items():
        merchant = _merchant(tmp_path / name)
        for files in imports:
            result = beanclear(merchant, "import", *(str(merchant / f) for f in files))
            assert result.exit_code == 0, result.output
    first = tmp_path / "csv-json" / "books"
    for name in orders:
        assert _same_tree(first, tmp_path / name / "books") == [], name
    month = (first / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert '"Ava Smith" "Express Checkout Payment"' in month and '"PayPal" "General Withdrawal"' in month
    assert "event-code" not in month and "shop@example.com" not in month
    accounts = (first / "accounts.beancount").read_text(encoding="utf-8")
    assert "Assets:Clearing:PayPal at the end of the day, from apr.csv" in accounts


def test_the_search_response_alone_names_events_as_the_download(tmp_path):
    """Without the CSV (m4 of the tester: JSON only), the entries are those the CSV writes."""
    merchant = _merchant(tmp_path / "m")
    assert beanclear(merchant, "import", str(merchant / "apr.json")).exit_code == 0
    month = (merchant / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert 'paypal-type: "Express Checkout Payment"' in month and 'paypal-type: "General Withdrawal"' in month


def test_a_later_statement_leaves_the_opening_naming_the_first(tmp_path):
    """Only the other view of the same first day renames the opening: May's download, whose
    name sorts before April's, imported after it leaves the opening naming April's."""
    merchant = _merchant(tmp_path / "m")
    (merchant / "z-apr.csv").write_text("\n".join(CSV) + "\n", encoding="utf-8")
    (merchant / "a-may.csv").write_text("\n".join([HEADER, CSV[1].replace("04/21/2026", "05/14/2026").replace(
        "7AB12345CD678901E", "9AB12345CD678901G").replace('"196.02","Credit"', '"96.02","Credit"')]) + "\n",
        encoding="utf-8")
    for name in ("z-apr.csv", "a-may.csv"):
        result = beanclear(merchant, "import", str(merchant / name))
        assert result.exit_code == 0, result.output
    accounts = (merchant / "books" / "accounts.beancount").read_text(encoding="utf-8")
    assert "Assets:Clearing:PayPal at the end of the day, from z-apr.csv" in accounts


def test_a_bank_funded_payment_books_the_same_whatever_the_order(tmp_path):
    """blind25 paypalholds: a supplier paid from the bank through PayPal, its funding row
    (T0300, `Bank Deposit to PP Account ` in the download, trailing space) was named
    `Funding (T0300)` when the response came first."""
    rows = [HEADER,
            '"04/21/2026","10:00:00","PDT","Papierwerk GmbH","Express Checkout Payment","Completed","USD","-312.40",'
            '"0.00","-312.40","shop@example.com","billing@papierwerk.example","8G4J7SR5V1R8V92K3","","","100.00","Debit"',
            '"04/21/2026","10:00:00","PDT","","Bank Deposit to PP Account ","Pending","USD","312.40","0.00","312.40",'
            '"","shop@example.com","1BJSDV2WFR3YFUNWN","8G4J7SR5V1R8V92K3","","412.40","Credit"']
    response = {**RESPONSE, "total_items": 2, "transaction_details": [
        {"transaction_info": _info("8G4J7SR5V1R8V92K3", "T0006", "2026-04-21T17:00:00+0000", "-312.40", "100.00"),
         "payer_info": {"email_address": "billing@papierwerk.example",
                        "payer_name": {"alternate_full_name": "Papierwerk GmbH"}}},
        {"transaction_info": {**_info("1BJSDV2WFR3YFUNWN", "T0300", "2026-04-21T17:00:00+0000", "312.40", "412.40"),
                              "transaction_status": "P", "paypal_reference_id": "8G4J7SR5V1R8V92K3"}}]}
    for name, first, then in (("csv-json", "apr.csv", "apr.json"), ("json-csv", "apr.json", "apr.csv")):
        merchant = _merchant(tmp_path / name)
        (merchant / "apr.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        (merchant / "apr.json").write_text(json.dumps(response), encoding="utf-8")
        for file in (first, then):
            result = beanclear(merchant, "import", str(merchant / file))
            assert result.exit_code == 0, result.output
    assert _same_tree(tmp_path / "csv-json" / "books", tmp_path / "json-csv" / "books") == []
    month = (tmp_path / "json-csv" / "books" / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert 'paypal-type: "Bank Deposit to PP Account"' in month and "T0300" not in month


def test_each_event_code_named_is_a_download_type_of_its_kind():
    from beanclear.importers.paypal_api import KIND_OF_CODE, TYPE_OF_CODE
    from beanclear.importers.paypal_booking import KIND_OF_TYPE
    assert {code: KIND_OF_TYPE.get(name.lower()) for code, name in TYPE_OF_CODE.items()} == \
        {code: KIND_OF_CODE[code] for code in TYPE_OF_CODE}


# The monthly statement CSV of the same days: the type without the Subject or Item Title,
# no recipient's email (a withdrawal's is the account's own)
STATEMENT = ['"Date","Time","Time Zone","Description","Currency","Gross","Fee","Net","Balance","Transaction ID",'
             '"From Email Address","Name","Bank Name","Bank Account","Shipping and Handling Amount","Sales Tax",'
             '"Invoice ID","Reference Txn ID"',
             '"4/21/2026","10:00:00","America/Los_Angeles","Express Checkout Payment","USD","100.00","-3.98","96.02",'
             '"196.02","7AB12345CD678901E","ava@example.com","Ava Smith","","","0.00","0.00","INV-1",""',
             '"4/22/2026","06:00:00","America/Los_Angeles","General Withdrawal","USD","-196.02","0.00","-196.02",'
             '"0.00","8AB12345CD678901F","","","Chase","4471","0.00","0.00","",""']
TITLED = [CSV[0].replace('"Balance Impact"', '"Balance Impact","Item Title"'),
          CSV[1] + ',"Tea gift box"', CSV[2].replace('"shop@example.com","",', '"","bank@example.com",') + ',""']


def test_the_download_and_the_monthly_statement_book_the_same_whatever_the_order(tmp_path):
    # blind24 overlaps: the statement first, the download's Item Title and emails were lost
    # (imported the other way round, they were there): other bytes by the order of import
    books = {}
    for name, files in {"download-first": ["apr.csv", "statement.csv"], "statement-first": ["statement.csv", "apr.csv"],
                        "one": ["statement.csv", "apr.csv"]}.items():
        merchant = _merchant(tmp_path / name)
        (merchant / "apr.csv").write_text("\n".join(TITLED) + "\n", encoding="utf-8")
        (merchant / "statement.csv").write_text("\n".join(STATEMENT) + "\n", encoding="utf-8")
        for each in ([files] if name == "one" else [[f] for f in files]):
            result = beanclear(merchant, "import", *(str(merchant / f) for f in each))
            assert result.exit_code == 0, result.output
            assert "restated" not in result.output
        books[name] = merchant / "books"
        assert "0 entries written" in beanclear(merchant, "import", "--force", str(merchant / "statement.csv")).output
    for name in ("statement-first", "one"):
        assert _same_tree(books["download-first"], books[name]) == [], name
    month = (books["statement-first"] / "paypal" / "2026" / "2026-04.beancount").read_text(encoding="utf-8")
    assert '"Ava Smith" "Express Checkout Payment / Tea gift box"' in month and 'email: "bank@example.com"' in month
