"""Import speed and memory of the cross-border formats at scale.

    .venv/bin/python benchmarks/bench_formats.py                       # 1,000,000 Stripe rows, 100,000 CAMT entries
    .venv/bin/python benchmarks/bench_formats.py --stripe 100000 --camt 10000 --shopify 10000
    .venv/bin/python benchmarks/bench_formats.py --stripe 0 --camt 0 --shopify 0 --mt940 100000   # one format
    .venv/bin/python benchmarks/bench_formats.py --stripe 0 --camt 0 --shopify 0 --mt940 0 --pinduoduo 100000
    .venv/bin/python benchmarks/bench_formats.py --stripe 0 --camt 0 --shopify 0 --mt940 0 --ofx 100000
    .venv/bin/python benchmarks/bench_formats.py --stripe 0 --camt 0 --shopify 0 --mt940 0 --alipay-personal 100000
    .venv/bin/python benchmarks/bench_formats.py --stripe 0 --camt 0 --shopify 0 --mt940 0 --stripe-api 100000

Generates into --out (default benchmarks/out/formats, git-ignored, emptied first) a
Stripe itemized balance-change report (charges with fees, ~2% refunds, a payout per
day that settles the day's items under `automatic_payout_id`) and a CAMT.053 .02
statement of a USD account (credits and debits, opening and closing balances) and a
Shopify orders export (one to three line items an order, on rows of their own) and an
MT940 file of a EUR account (a statement a day with its `:60F:` and `:62F:`, German
`:86:` purpose subfields wrapped at 65 characters) and, with `--pinduoduo N`, a
Pinduoduo order export as an XLSX workbook (one order a row, ~3% refunded; written by
openpyxl's write-only mode, which leaves out `<dimension>` as some exporters do),
with `--ofx N`, an OFX 1.x SGML statement of a USD account (N STMTTRN over 90 days, leaves
unclosed, a line each, and its LEDGERBAL),
and, with `--alipay-personal N`, an Alipay personal app bill (GBK, its preamble's
counts and sums the rows', ~3% refunded, some trade numbers repeated), and, with
`--stripe-api N`, a Stripe `list` of N balance transactions written as `beanclear fetch`
writes a day of them (charges with fee_details, ~2% refunds, a payout a day; sorted
keys, indent 2), then imports each into empty books
with `beanclear import` in a fresh process and prints rows per second and the
process's peak memory (its own high-water mark, harness.peak_kib). `--profile [LINES]` prints
the top of a cProfile of each import. A format given 0 is left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

CONFIG = """\
books: books
timezone: UTC
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 3, bank: usd, bank_days: 3}
  alipay_me: {type: alipay-personal, currency: CNY, sales: [{category: "^收入$"}]}
banks:
  usd: {type: camt053, account: Assets:Bank:USD, currency: USD}
  eur: {type: mt940, account: Assets:Bank:EUR, currency: EUR}
  checking: {type: ofx, account: Assets:Bank:Checking, currency: USD}
shops:
  shopify: {type: shopify, currency: USD}
  pinduoduo: {type: pinduoduo, currency: CNY}
"""
STRIPE_HEADER = ("balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,"
                 "source_id,description,automatic_payout_id,automatic_payout_effective_at_utc")


def stripe_report(path: Path, rows: int, rng: random.Random) -> int:
    """Rows of charges and refunds, and each day's payout of what the day netted."""
    start = dt.datetime(2026, 1, 1)
    per_day = max(1, rows // 90)
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(STRIPE_HEADER + "\n")
        day = 0
        while written < rows:
            when = start + dt.timedelta(days=day)
            payout, net_total = f"po_{day:06d}", Decimal(0)
            effective = (when + dt.timedelta(days=2)).strftime("%Y-%m-%d 00:00:00")
            for n in range(min(per_day, rows - written - 1)):
                stamp = (when + dt.timedelta(seconds=n * 60)).strftime("%Y-%m-%d %H:%M:%S")
                gross = Decimal(rng.randrange(500, 50_000)) / 100
                if rng.random() < 0.02:
                    category, gross, fee = "refund", -gross, Decimal("0.00")
                else:
                    category, fee = "charge", (gross * Decimal("0.029") + Decimal("0.30")).quantize(Decimal("0.01"))
                net = gross - fee
                net_total += net
                ident = f"{day:04d}{n:07d}"
                fh.write(f'"txn_{ident}","{stamp}","{effective}","usd","{gross}","{fee}","{net}","{category}",'
                         f'"ch_{ident}","Order {ident}","{payout}","{effective}"\n')
                written += 1
            stamp = (when + dt.timedelta(hours=23, minutes=59)).strftime("%Y-%m-%d %H:%M:%S")
            fh.write(f'"txn_p{day:06d}","{stamp}","{effective}","usd","{-net_total}","0.00","{-net_total}",'
                     f'"payout","{payout}","STRIPE PAYOUT","{payout}","{effective}"\n')
            written += 1
            day += 1
    return written


def camt_statement(path: Path, entries: int, rng: random.Random) -> int:
    start, balance = dt.date(2026, 1, 1), Decimal("100000.00")
    opening = balance
    parts = []
    for n in range(entries):
        day = start + dt.timedelta(days=n * 90 // entries)
        amount = Decimal(rng.randrange(100, 1_000_000)) / 100
        credit = rng.random() < 0.6
        balance += amount if credit else -amount
        parts.append(
            f"<Ntry><Amt Ccy=\"USD\">{amount}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>REF{n:09d}</AcctSvcrRef><BkTxCd><Prtry><Cd>TRF</Cd></Prtry></BkTxCd>"
            f"<AddtlNtryInf>{'STRIPE PAYOUT' if credit else 'SUPPLIER'} {n}</AddtlNtryInf></Ntry>\n")
    end = start + dt.timedelta(days=90)
    bal = ("<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"USD\">{amount}</Amt>"
           "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>\n")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>\n'
        "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-04-01T00:00:00</CreDtTm></GrpHdr>\n"
        "<Stmt><Id>BENCH-1</Id><CreDtTm>2026-04-01T00:00:00</CreDtTm>"
        "<Acct><Id><IBAN>GB00BENCH00000000000001</IBAN></Id><Ccy>USD</Ccy></Acct>\n"
        + bal.format(code="OPBD", amount=opening, date=start - dt.timedelta(days=1))
        + bal.format(code="CLBD", amount=balance, date=end)
        + "".join(parts) + "</Stmt></BkToCstmrStmt></Document>\n", encoding="utf-8")
    return entries


def mt940_statements(path: Path, lines: int, rng: random.Random) -> int:
    """A statement a day over 90 days, in a SWIFT envelope each: its lines (credits and
    debits, booked on the entry date) with a German `:86:` wrapped at 65 characters."""
    start, balance, days = dt.date(2026, 1, 1), Decimal("100000.00"), 90

    def amount(value: Decimal) -> str:
        return f"{value:.2f}".replace(".", ",")

    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for d in range(days):
            day = start + dt.timedelta(days=d)
            count = lines // days + (d < lines % days)
            opening = balance
            before = day - dt.timedelta(days=1)
            fh.write("{1:F01BENCHDEFFXXX0000000000}{2:O940BENCHDEFFXXXXN}{4:\n"
                     f":20:STMT{d:05d}\n:25:DE89370400440532013000\n:28C:{d + 1}/1\n"
                     f":60F:{'C' if opening >= 0 else 'D'}{before:%y%m%d}EUR{amount(abs(opening))}\n")
            for _ in range(count):
                value = Decimal(rng.randrange(100, 1_000_000)) / 100
                credit = rng.random() < 0.6
                balance += value if credit else -value
                who = "STRIPE PAYOUT" if credit else "SUPPLIER GMBH"
                info = (f":86:166?00{'GUTSCHRIFT' if credit else 'UEBERWEISUNG'}?100399?20EREF+E2E{written:09d}"
                        f"?21SVWZ+{who} {written} RECHNUNG {rng.randrange(10**8):08d} VOM {day:%d.%m.%Y}"
                        f"?22KUNDENNUMMER {rng.randrange(10**6):06d}?30BENCHDEFF?31DE{rng.randrange(10**18):018d}"
                        f"?32{who} {written % 977}")
                fh.write(f":61:{day:%y%m%d}{day:%m%d}{'C' if credit else 'D'}{amount(value)}NTRFNONREF"
                         f"//B{written:010d}\n" + "\n".join(info[i:i + 65] for i in range(0, len(info), 65)) + "\n")
                written += 1
            fh.write(f":62F:{'C' if balance >= 0 else 'D'}{day:%y%m%d}EUR{amount(abs(balance))}\n-}}\n")
    return written


def ofx_statement(path: Path, lines: int, rng: random.Random) -> int:
    """An OFX 1.x SGML statement of a USD checking account over 90 days, as US banks send
    it: the header, its lines (credits and debits, leaves left unclosed, a line each) and
    LEDGERBAL, the balance they lead to."""
    start, balance = dt.date(2026, 1, 1), Decimal("100000.00")
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
                 "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0"
                 "<SEVERITY>INFO</STATUS><DTSERVER>20260401<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1>"
                 "<STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n<STMTRS><CURDEF>USD<BANKACCTFROM>"
                 "<BANKID>026009593<ACCTID>000123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
                 "<BANKTRANLIST><DTSTART>20260101<DTEND>20260331\n")
        for n in range(lines):
            day = start + dt.timedelta(days=n * 90 // lines)
            value = Decimal(rng.randrange(100, 1_000_000)) / 100
            credit = rng.random() < 0.6
            balance += value if credit else -value
            fh.write(f"<STMTTRN><TRNTYPE>{'CREDIT' if credit else 'DEBIT'}<DTPOSTED>{day:%Y%m%d}120000.000[-5:EST]"
                     f"<TRNAMT>{value if credit else -value}<FITID>{day:%Y%m%d}{n:09d}"
                     f"<NAME>{'STRIPE PAYOUT' if credit else 'SUPPLIER'} {n % 977}<MEMO>REF {rng.randrange(10**8):08d}"
                     "</STMTTRN>\n")
        fh.write(f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance}<DTASOF>20260331</LEDGERBAL></STMTRS></STMTTRNRS>"
                 "</BANKMSGSRSV1></OFX>\n")
    return lines


SHOPIFY_HEADER = ("Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,"
                  "Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,"
                  "Lineitem price,Lineitem sku,Refunded Amount,Cancelled at")


def shopify_export(path: Path, orders: int, rng: random.Random) -> int:
    """Orders of one to three line items: the order's columns on its first row, each
    further item on a row of its own (as Shopify exports them)."""
    start, rows = dt.datetime(2026, 1, 1), 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(SHOPIFY_HEADER + "\n")
        for n in range(orders):
            when = (start + dt.timedelta(seconds=n * 97)).strftime("%Y-%m-%d %H:%M:%S -0500")
            prices = [Decimal(rng.randrange(500, 9_000)) / 100 for _ in range(rng.choice((1, 1, 2, 3)))]
            total = sum(prices)
            refunded = rng.random() < 0.03
            status, back = ("refunded", f"{total}") if refunded else ("paid", "0.00")
            for i, price in enumerate(prices):
                order = (f"{status},{when},fulfilled,{when},USD,{total},0.00,0.00,{total},,0.00,{when}" if i == 0
                         else ",,,,,,,,,,,")
                fh.write(f"#{1001 + n},buyer{n}@example.com,{order},1,Item {i + 1} of #{1001 + n},{price},"
                         f"SKU-{i},{back if i == 0 else ''},\n")
                rows += 1
    return rows


PINDUODUO_HEADER = ("商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)",
                    "用户实付金额(元)", "商家实收金额(元)", "商品数量(件)", "订单成交时间", "售后状态", "商品id")


def pinduoduo_export(path: Path, orders: int, rng: random.Random) -> int:
    """One order a row, money as floats (as Excel holds it), ~3% refunded in full."""
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(PINDUODUO_HEADER)
    start = dt.datetime(2026, 3, 1)
    for n in range(orders):
        price = rng.randrange(500, 50_000) / 100
        status, after = ("已签收", "无售后或售后取消") if rng.random() > 0.03 else ("已签收，退款成功", "退款成功")
        sheet.append([f"Item {n % 50}", f"260301-{100_000_000_000_000 + n}", status, price, 0.0, 5.0, 0.0,
                      round(price - 5, 2), price, 1, (start + dt.timedelta(seconds=n * 13)).strftime("%Y-%m-%d %H:%M:%S"),
                      after, str(754_299_529_443 + n)])
    book.save(path)
    return orders


ALIPAY_HEADER = "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,"
ALIPAY_METHODS = ("余额", "余额宝", "花呗", "花呗分期(3期)", "招商银行储蓄卡(4523)", "中信银行信用卡(6428)&红包")


def alipay_personal_bill(path: Path, rows: int, rng: random.Random) -> int:
    """An Alipay personal app bill (2023+ layout: GBK, CRLF, the 24-line preamble whose
    counts and sums are the rows'), newest first: sales (收入), purchases paid by the
    usual methods (combined funding among them), 余额宝 transfers (不计收支), ~3%
    refunded (the refund row above its purchase, which a full refund flips to 交易关闭),
    some 0.00 rows, and ~0.5% of the rows repeating a recent row's trade number. The
    rows are written first to a file of their own (the preamble counts them), never
    held: the import's process is forked from this one, and starts at its size."""
    start = dt.datetime(2026, 3, 31, 23, 0)
    kinds = {"收入": [0, Decimal(0)], "支出": [0, Decimal(0)], "不计收支": [0, Decimal(0)]}
    body = path.with_suffix(".rows")
    written = 0
    with open(body, "w", encoding="gb18030", newline="\r\n") as fh:
        def row(when, category, who, item, direction, amount, method, status, trade, order=""):
            nonlocal written
            kinds[direction][0] += 1
            kinds[direction][1] += amount
            written += 1
            fh.write(f"{when:%Y-%m-%d %H:%M:%S},{category},{who},/,{item},{direction},{amount},{method},{status},"
                     f"{trade}\t,{order}\t,,\n")

        n, recent = 0, []
        while written < rows:
            when = start - dt.timedelta(seconds=n * 67)
            trade = f"2026{n:012d}{rng.randrange(10**6):06d}"
            amount = Decimal(rng.randrange(100, 200_000)) / 100
            pick = rng.random()
            if recent and rng.random() < 0.005:   # an id the file already has (user-edited bills)
                trade = rng.choice(recent)
            recent = [*recent[-99:], trade]
            if pick < 0.25:
                row(when, "收入", f"客户{n % 997}", f"收款-订单{n}", "收入", amount, "", "交易成功", trade)
            elif pick < 0.30:
                row(when, "投资理财", "余额宝", "余额宝-自动转入", "不计收支", amount, "余额", "交易成功", trade)
            elif pick < 0.31:
                row(when, "医疗健康", "医保", "医保支付", "支出", Decimal("0.00"), "医保", "交易成功", trade)
            elif pick < 0.34 and written + 2 <= rows:   # refunded: the refund above its purchase
                back = amount if rng.random() < 0.5 else (amount / 2).quantize(Decimal("0.01"))
                row(when, "退款", f"商户{n % 313}", f"退款-商品{n}", "不计收支", back, rng.choice(ALIPAY_METHODS),
                    "退款成功", f"{trade}_{n:08d}", f"T{n:012d}")
                row(when - dt.timedelta(days=2), "日用百货", f"商户{n % 313}", f"商品{n}", "支出", amount,
                    rng.choice(ALIPAY_METHODS), "交易关闭" if back == amount else "交易成功", trade, f"T{n:012d}")
            else:
                row(when, "日用百货", f"商户{n % 313}", f"商品{n}", "支出", amount, rng.choice(ALIPAY_METHODS),
                    "交易成功", trade, f"T{n:012d}")
            n += 1
    end = start.date()
    preamble = ["-" * 84, "导出信息：", "姓名：张三", "支付宝账户：zhang***@example.com",
                f"起始时间：[{end - dt.timedelta(days=365)} 00:00:00]    终止时间：[{end} 23:59:59]",
                "导出交易类型：[全部]", f"导出时间：[{end} 23:59:59]", f"共{written}笔记录",
                *(f"{k}：{c}笔 {s}元" for k, (c, s) in kinds.items()), "", "特别提示：",
                *(f"{i}.本回单内容仅供参考。" for i in range(1, 10)), "",
                "-" * 24 + "支付宝（中国）网络技术有限公司  电子客户回单" + "-" * 24, ALIPAY_HEADER]
    with open(path, "wb") as out, open(body, "rb") as rows_file:
        out.write(("\r\n".join(preamble) + "\r\n").encode("gb18030"))
        shutil.copyfileobj(rows_file, out)
    body.unlink()
    return written


def stripe_api_list(path: Path, rows: int, rng: random.Random) -> int:
    """A `list` response of balance transactions, the bytes ledger/live/fetch/stripe.py
    writes (json.dumps of the list, indent 2, sorted keys), written item by item."""
    start, per_day, paid = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()), max(2, rows // 90), 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{\n  "data": [' if rows else '{\n  "data": [],\n')
        for n in range(rows):
            created = start + n * 86400 // per_day
            if n % per_day == per_day - 1:   # the day's payout of what it netted
                kind, amount, fee, source, text = "payout", -paid, 0, f"po_{n:020d}", "STRIPE PAYOUT"
                paid = 0
            elif rng.random() < 0.02:
                kind, amount, fee, source, text = "refund", -rng.randrange(500, 50_000), 0, f"re_{n:020d}", f"Refund {n}"
            else:
                amount = rng.randrange(500, 100_000)
                kind, fee, source, text = "charge", amount * 29 // 1000 + 30, f"ch_{n:020d}", f"Charge {n}"
            paid += amount - fee if kind != "payout" else 0
            details = [{"amount": fee, "application": None, "currency": "usd", "description": "Stripe processing fees",
                        "type": "stripe_fee"}] if fee else []
            item = {"amount": amount, "available_on": created + 2 * 86400, "created": created, "currency": "usd",
                    "description": text, "exchange_rate": None, "fee": fee, "fee_details": details,
                    "id": f"txn_{n:020d}", "net": amount - fee, "object": "balance_transaction",
                    "reporting_category": kind, "source": source, "status": "available", "type": kind}
            text = json.dumps(item, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n    ")
            fh.write(("\n    " if n == 0 else ",\n    ") + text)
        fh.write('\n  ],\n' if rows else '')
        fh.write('  "has_more": false,\n  "object": "list",\n  "url": "/v1/balance_transactions"\n}\n')
    return rows


def child(statement: str, out: Path) -> dict:
    from beanclear import config as config_mod
    from beanclear.books import importing
    config = config_mod.load(out / "config.yaml")
    start = time.perf_counter()
    results = harness.profiled(lambda: importing.run(config, [out / "statements" / statement]), statement)
    return {"seconds": time.perf_counter() - start, "rows": sum(r.extraction.rows for r in results),
            "written": sum(len(r.new) for r in results),
            "peak_mb": harness.peak_kib() / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stripe", type=int, default=1_000_000)
    parser.add_argument("--camt", type=int, default=100_000)
    parser.add_argument("--shopify", type=int, default=100_000, help="orders")
    parser.add_argument("--mt940", type=int, default=100_000, help="lines of an MT940 file")
    parser.add_argument("--ofx", type=int, default=0, help="STMTTRN of an OFX 1.x SGML statement (default 0: "
                        "left out)")
    parser.add_argument("--pinduoduo", type=int, default=0, help="orders of a Pinduoduo XLSX export (default 0: "
                        "left out, openpyxl takes ~0.5 ms a row)")
    parser.add_argument("--alipay-personal", type=int, default=0, help="rows of an Alipay personal app bill "
                        "(default 0: left out)")
    parser.add_argument("--stripe-api", type=int, default=0, help="balance transactions of a Stripe API list "
                        "as `beanclear fetch` writes it (default 0: left out)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "formats")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    harness.add_profile_flag(parser)
    args = parser.parse_args()
    harness.use_profile(args)
    if args.child:
        print(json.dumps(child(args.child, args.out)))
        return
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "statements").mkdir(parents=True)
    (args.out / "config.yaml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(1)
    makers = {"stripe-itemized.csv": (stripe_report, args.stripe), "camt053.xml": (camt_statement, args.camt),
              "orders_export.csv": (shopify_export, args.shopify), "mt940.sta": (mt940_statements, args.mt940),
              "checking.ofx": (ofx_statement, args.ofx),
              "pdd_orders.xlsx": (pinduoduo_export, args.pinduoduo),
              "alipay_personal.csv": (alipay_personal_bill, args.alipay_personal),
              "stripe_api.json": (stripe_api_list, args.stripe_api)}
    made = {name: make(args.out / "statements" / name, n, rng) for name, (make, n) in makers.items() if n}
    for name, rows in made.items():
        size = (args.out / "statements" / name).stat().st_size / 2**20
        done = subprocess.run([sys.executable, __file__, "--child", name, "--out", str(args.out)],
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
        if args.profile:
            print(done.stderr, end="", file=sys.stderr)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{name:<20} {rows:>9,} rows, {size:6.1f} MiB: import {r['seconds']:7.1f} s, "
              f"{r['rows'] / r['seconds']:8,.0f} rows/s, peak {r['peak_mb']:7,.0f} MiB, "
              f"{r['written']:,} entries written", flush=True)


if __name__ == "__main__":
    main()
