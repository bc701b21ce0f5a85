"""A small merchant whose money moves every way a month's channel figures count it
(blind33 disputes): a duplicate charge in October given back in November, a refund, a
lost dispute (chargeback and its fee), a November whose refunds outweigh its sales so
that Stripe takes the payout back from the bank (a negative payout, a bank debit), and
a EUR channel whose payout the bank converts into its USD account. The page's charts
and the export's daily_channel are checked against `beanclear report` on it."""

from __future__ import annotations

from pathlib import Path

from conftest import beanclear

MONTHS = ("2026-10", "2026-11")

STRIPE_HEADER = ('"balance_transaction_id","created_utc","available_on_utc","currency","gross","fee","net",'
                 '"reporting_category","source_id","description","automatic_payout_id","payment_metadata[order_id]"')

FILES = {
    "config.yaml": """\
books: books
currency: USD
timezone: America/New_York
channels:
  stripe: {type: stripe, currency: USD, settlement_days: 5, bank: chase, bank_days: 2, shop: shop,
           fees: [{rate: 0.029, fixed: 0.30}]}
  stripe_eu: {type: stripe, currency: EUR, payout_memo: "EUROPAY", settlement_days: 5, bank: chase, bank_days: 2,
              fees: [{rate: 0.029, fixed: 0.30}]}
shops:
  shop: {type: shopify, currency: USD, order_days: 3}
banks:
  chase:
    type: csv
    account: Assets:Bank:Chase
    currency: USD
    date_format: "%Y-%m-%d"
    columns: {date: Date, amount: Amount, memo: Description, ref: Reference, balance: Balance,
              original_credit: Sent, original_currency: SentCcy}
""",
    "statements/shop/orders.csv": """\
Name,Email,Financial Status,Created at,Total,Refunded Amount,Currency,Lineitem name
#1001,a@x.test,paid,2026-10-02 09:00:00 -0400,100.00,0.00,USD,Tea
#1002,b@x.test,refunded,2026-10-03 09:00:00 -0400,200.00,200.00,USD,Tea
#1003,c@x.test,paid,2026-11-04 09:00:00 -0500,50.00,0.00,USD,Tea
""",
    # #1001 charged twice in October (ch_1b the duplicate, given back on 11-03); #1002
    # refunded; #1003 disputed and lost; po_2 takes 316.75 back from the bank
    "statements/stripe/balance.csv": STRIPE_HEADER + """
"txn_1","2026-10-02 14:00:00","2026-10-04 00:00:00","usd","100.00","3.20","96.80","charge","ch_1","Order #1001","po_1","1001"
"txn_2","2026-10-02 14:05:00","2026-10-04 00:00:00","usd","100.00","3.20","96.80","charge","ch_1b","Order #1001","po_1","1001"
"txn_3","2026-10-03 14:00:00","2026-10-05 00:00:00","usd","200.00","6.10","193.90","charge","ch_2","Order #1002","po_1","1002"
"txn_4","2026-10-06 20:00:00","2026-10-08 00:00:00","usd","-387.50","0.00","-387.50","payout","po_1","STRIPE PAYOUT","",""
"txn_5","2026-11-03 15:00:00","2026-11-05 00:00:00","usd","-100.00","0.00","-100.00","refund","re_1b","REFUND FOR CHARGE","po_2","1001"
"txn_6","2026-11-04 15:00:00","2026-11-06 00:00:00","usd","50.00","1.75","48.25","charge","ch_3","Order #1003","po_2","1003"
"txn_7","2026-11-05 15:00:00","2026-11-07 00:00:00","usd","-200.00","0.00","-200.00","refund","re_2","REFUND FOR CHARGE","po_2","1002"
"txn_8","2026-11-06 15:00:00","2026-11-06 15:00:00","usd","-50.00","15.00","-65.00","dispute","dp_3","Chargeback withdrawal for ch_3","po_2","1003"
"txn_9","2026-11-07 20:00:00","2026-11-09 00:00:00","usd","316.75","0.00","316.75","payout","po_2","STRIPE PAYOUT","",""
""",
    "statements/stripe_eu/balance.csv": STRIPE_HEADER + """
"txn_e1","2026-11-10 14:00:00","2026-11-12 00:00:00","eur","500.00","14.80","485.20","charge","ch_e1","Sale E1","po_e1",""
"txn_e2","2026-11-12 20:00:00","2026-11-14 00:00:00","eur","-485.20","0.00","-485.20","payout","po_e1","STRIPE PAYOUT","",""
""",
    # the EUR payout arrives converted: 530.00 USD for the 485.20 EUR sent
    "statements/chase/bank.csv": """\
Date,Description,Amount,Balance,Reference,Sent,SentCcy
2026-10-01,OPENING DEPOSIT,10.00,1010.00,R0,,
2026-10-08,STRIPE TRANSFER po_1,387.50,1397.50,R1,,
2026-11-09,STRIPE TRANSFER po_2,-316.75,1080.75,R2,,
2026-11-14,EUROPAY po_e1,530.00,1610.75,R3,485.20,EUR
2026-11-30,FEE,-1.00,1609.75,R4,,
""",
    "statements/prices/rates.csv": "date,pair,rate\n2026-11-14,EUR/USD,1.0923\n",
}


def short_paid() -> dict[str, str]:
    """FILES but the bank credits po_1 1.50 short (386.00 for 387.50), the balances after it
    with it: a payout-mismatch to write off."""
    bank = FILES["statements/chase/bank.csv"]
    for before, after in (("387.50,1397.50", "386.00,1396.00"), ("1080.75", "1079.25"), ("1610.75", "1609.25"),
                          ("1609.75", "1608.25")):
        bank = bank.replace(before, after)
    return {**FILES, "statements/chase/bank.csv": bank}


def messy_merchant(folder: Path, files: dict[str, str] = FILES) -> Path:
    """The merchant's statements (`files`) written under `folder` and imported."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    result = beanclear(folder, "import", str(folder / "statements"))
    assert result.exit_code == 0, result.output
    return folder
