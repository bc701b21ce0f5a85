"""What every bank statement importer shares (CSV, OFX, CAMT.053, MT940): which
account a line goes to, which account number a file belongs to, stable ids for lines
the bank gives no id, and closing balances as `balance` assertions.

Each bank line posts to the bank account against what explains it (explaining_account),
in this order:
1. a line whose payee or memo names a channel paid out to this bank (`payout_memo` of
   the channel) goes to that channel's transit account: a credit meets the payout there,
   a debit the channel's top-up from the bank (PayPal's "Bank Deposit to PP Account",
   which books transit -> clearing). But a debit naming a personal wallet
   (alipay-personal, wechat-personal, jd-personal) is a payment through that wallet
   funded by this account (a purchase, or a top-up of its balance): it goes to the
   wallet's clearing account, where the wallet's own row for the payment meets it
   (counted once) and the clearing check pairs them (checks/card_payments.py);
2. the first of the config's `rules` whose pattern is found in payee or memo;
3. otherwise `Assets:Suspense`, which must be empty: a `bank-unmatched` finding.

A line explained by another bank's account (a rule `UMBUCHUNG AUF DE44… ->
Assets:Bank:Payroll`, `beanclear book R1 Assets:Bank:Payroll`) is a transfer between own
accounts, whose other side that bank's own statement books: it goes to the transfers
account (`transfers:`, default `Assets:Transit:Transfers`) and names the other bank's
account (`transfer-with:`), and the clearing check pairs the two sides there
(checks/transfers.py). Booked into the other bank's account, each side moved both banks
and the transfer counted twice (booked_as):

    2026-01-23 * "Kaffeerad GmbH" "UMBUCHUNG AUF DE44370400440532013111 Gehaltskonto"
      id: "R1"
      transfer-with: "Assets:Bank:Payroll"
      Assets:Bank:Main                          -1000.00 EUR
      Assets:Transit:Transfers                   1000.00 EUR

A credit the bank converted into the account's currency from a payout in another (a
Stripe USD payout landing in a GBP account) is booked against transit in the payout's
currency, where the statement states the amount sent and the channel pays out in it
(counter_posting): transit comes back to zero in the currency the payout left in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from beanclear.config import WALLET_TYPES
from beanclear.importers.stated import TRANSFER_WITH, stated_amount  # noqa: F401  (read here too)
from beanclear.importers.base import (BalanceChain, Extraction, StatedOpening, StatementDays, StatementImporter,
                                      balance, closing_balances, next_day, off_by, posting, rule_account, transaction)
from beanclear.importers.toolkit import (ENCODINGS, WESTERN_ENCODINGS, StatementError, applied_rate,
                                         in_currency_places, sniff)
from beanclear.importers.toolkit.tables import head_bytes, head_text, skim
from beanclear.importers.toolkit.text import UnendedRow, bom_encoding, errors_read_whole, text_stream


def _decodes(path: str, encodings: tuple[str, ...], limit: int = 65536) -> bool:
    """Whether the start of a file decodes with one of `encodings` (an unreadable file: yes,
    so that the usual messages say what is wrong with it)."""
    head = head_bytes(path, limit)
    if head is None or not head.strip() or head[:4] == b"PK\x03\x04":
        return True
    bom = bom_encoding(head)   # as read_text() reads it: a UTF-16 bill is no bank's to claim
    return any(head_text(head, encoding, cut=len(head) == limit) is not None
               for encoding in ((bom,) if bom else ()) + encodings)


CURRENCY_AFTER = re.compile(r"(?<=\d)[A-Z]{3}$")


def account_key(text: str) -> str:
    """An account number compared loosely: spaces, dashes, dots and case do not matter."""
    return re.sub(r"[\s\-./]", "", text or "").upper()


IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")
DOMESTIC_LEAST = 6   # characters of a domestic account number that an IBAN's end is taken for


def domestic_of(iban: str, number: str) -> bool:
    """Whether `number` is the domestic account number IBAN `iban` ends with (both as
    account_key gives them, `number` maybe followed by its currency): a CAMT.053 names
    `DE89370400440532013000`, an MT940 of the same account `37040044/0532013000`."""
    number = CURRENCY_AFTER.sub("", number)
    return bool(IBAN.match(iban)) and len(number) >= DOMESTIC_LEAST and iban[4:].endswith(number)


def one_account(a: str, b: str) -> bool:
    """Whether statements naming accounts `a` and `b` (account_key'd) are of one account:
    an IBAN and the domestic number it ends with, in either order (a bank whose
    statements come in two formats, `type: [camt053, mt940]`)."""
    return domestic_of(a, b) or domestic_of(b, a)


class Unusual(Exception):
    """A file a streamed read cannot follow as the whole read would: it is read whole
    (BankImporter.streamed_or_whole). `said`: the error the stream has found in it, said
    instead where the file is too large to read whole only to say another
    (text.ERRORS_WHOLE_UP_TO)."""

    def __init__(self, why: str, said: StatementError | None = None):
        super().__init__(why)
        self.said = said


def read_whole_or_say(path: str, unusual: Unusual) -> None:
    """After the stream's Unusual: raises the error it found where the file is not to be
    read whole again; returns where it is."""
    if unusual.said is not None and not errors_read_whole(path):
        raise unusual.said from None


class SeveralAccounts(StatementError):
    """A file of statements of several accounts, read without `account_id`: `numbers`
    are theirs (all of them unless `at_least`), for `beanclear init` to make one bank of
    each."""

    def __init__(self, path: str, line: int, numbers, at_least: bool = False):
        super().__init__(path, line, f"statements of {'at least ' if at_least else ''}{len(numbers)} accounts "
                         f"({', '.join(sorted(numbers))}); set account_id in config.yaml to pick one")
        self.numbers, self.at_least = sorted(numbers), at_least


def several_accounts(path: str, line: int, numbers, at_least: bool = False) -> StatementError:
    """A file of statements of several accounts, read without `account_id` (`at_least`:
    the stream stopped at the second)."""
    return SeveralAccounts(path, line, numbers, at_least)


class BankImporter(StatementImporter):
    """A bank statement: every line against transit, a rule, or suspense."""

    text_statement = True  # read as text in the configured `encoding:` (CAMT.053's XML says its own)
    # A file may hold statements of several accounts, and this reads only those of its own
    # (own_statements): several sources with their `account_id`s each import one file.
    accounts_apart = False
    # Where each statement names its account (bytes; group 1 the number), for a file whose
    # statement of this bank's account_id starts past the head identify() reads.
    account_names: re.Pattern | None = None

    def account(self, filepath: str) -> str:
        return self.source.account

    def streamed_or_whole(self, path: str, lines: bool = True) -> Extraction:
        """parse() of a text statement with a streamed read of its own (MT940, OFX): past
        text.STREAM_FROM `_streamed(path, text)` reads text_stream's lines (or, not `lines`,
        its pieces), else `_whole(path)` the file. A file with an error, or one the stream
        cannot follow (Unusual), is read again whole, and says what the whole read says
        (UnicodeDecodeError: the file changed after text_stream read it through); past
        text.ERRORS_WHOLE_UP_TO the stream's error is said."""
        text = text_stream(path, self.source.encoding, WESTERN_ENCODINGS, lines=lines)
        if text is not None:
            try:
                return self._streamed(path, text)
            except StatementError:
                if not errors_read_whole(path):
                    raise
            except Unusual as unusual:
                read_whole_or_say(path, unusual)
            except UnicodeDecodeError:
                pass
        return self._whole(path)

    def identify(self, filepath: str) -> bool:
        """The start of the file read in the bank's `encoding:` where config.yaml names one.
        A file that decodes neither with it nor as UTF-8/GB18030 is claimed too, so that
        parse() says it is not valid text of the configured encoding, naming it, rather
        than advising to set the encoding that is set."""
        encoding = getattr(self.source, "encoding", None)
        head = sniff(filepath, encoding=encoding)
        if self.matches(head):
            return True
        if self.source.account_id and self.account_names is not None and self.with_account(None).matches(head):
            # a file of several accounts' statements whose own comes past the head (a 70 kB
            # CAMT.053 of a German account, then the British one: skipped as another's by
            # the German bank, claimed by no other, its lines booked nowhere)
            return any(self.is_mine(number.strip()) for number in skim(filepath, self.account_names))
        return bool(encoding) and self.text_statement and not _decodes(filepath, (encoding,) + ENCODINGS)

    def classify(self, amount: Decimal, payee: str, memo: str) -> str:
        """The account that explains a bank line (see the module docstring)."""
        return explaining_account(self.config, self.source.name, amount, f"{payee} {memo}")

    def is_mine(self, number: str) -> bool:
        """Whether a statement's account number (ACCTID, IBAN, `:25:`) is this bank's
        `account_id`; any number when the config gives none. An IBAN also matches the
        domestic account number it ends with (`NL71RABO0123456789` ~ `0123456789`), either
        being the account_id (one_account), and a number followed by its currency the
        number (`12345678/0123456789EUR`)."""
        if not self.source.account_id:
            return True
        mine, theirs = account_key(self.source.account_id), account_key(number)
        # An MT940 `:25:` may end in the account's currency (`…/0123456789EUR`, `… EUR`).
        bare = CURRENCY_AFTER.sub("", theirs)
        return any(t and (t == mine or t.endswith(mine) or domestic_of(mine, t)) for t in (theirs, bare))

    def own_statements(self, path: str, statements: list, number, lines, out: Extraction) -> list:
        """The statements of this bank's account, in file order. A file with statements
        of several accounts needs `account_id`; the other accounts' lines are counted
        as skipped (`number(st)` is a statement's account, `lines(st)` its lines)."""
        numbers = {number(st) for st in statements}
        if len(numbers) > 1 and not self.source.account_id:
            raise several_accounts(path, statements[1].line, numbers)
        kept = []
        for st in statements:
            if self.claims(number(st), out):
                kept.append(st)
            else:
                other_account(out, number(st), len(lines(st)))
        return kept

    def claims(self, number: str, out: Extraction) -> bool:
        """Whether a statement of account `number` is this bank's; the first it claims
        names the account the extraction is of."""
        if not self.is_mine(number):
            return False
        out.account = out.account or account_key(number) or None
        return True

    def bank_line(self, path: str, line: int, when: dt.date | dt.datetime, amount: Decimal, currency: str,
                  payee: str, memo: str, meta: dict, links=()) -> data.Transaction:
        """One bank line: the bank account against what classify() says explains it (a
        transfer to or from another of the banks: the transfers account, booked_as). An
        amount past its currency's places is refused (in_currency_places)."""
        in_currency_places(amount, currency, path, line, "amount")
        other, peer = booked_as(self.config, self.source.account, self.classify(amount, payee, memo))
        if peer:
            meta = {**meta, TRANSFER_WITH: peer}
        return transaction(path, line, when, payee, memo, meta,
                           [posting(self.source.account, amount, currency),
                            counter_posting(self.config, self.source.account, other, amount, currency, meta)],
                           links)


def other_account(out: Extraction, number: str, lines: int) -> None:
    """Lines of a statement of another account than the bank's: read, skipped."""
    if lines:
        out.rows += lines
        out.skipped[f"line of another account's statement ({number})"] += lines


def explaining_account(config, bank: str | None, amount: Decimal, text: str) -> str:
    """The account that explains a line of bank `bank` of this amount whose payee and
    memo are `text` (the module docstring): where the import books it, and where a
    line booked back goes (resolve/linking.py)."""
    named = None
    for channel in config.channels.values():
        if bank in channel.payout_banks and channel.payout_memo.search(text):
            if amount > 0:
                return channel.accounts.transit
            if channel.type in WALLET_TYPES:  # a card payment through the wallet: the wallet
                return channel.accounts.clearing  # row books it, from clearing (wallet.py)
            named = named or channel   # a top-up of the channel, unless a wallet is named too
    if named is not None:
        return named.accounts.transit
    return rule_account(config, text) or config.suspense


def claiming_rule(config, bank: str | None, amount: Decimal, text: str):
    """The rule of config.yaml by which the import books such a line now (explaining_account:
    the first rule that finds `text`, where no channel's payout memo comes before it), or
    None: what `book --rule`, the suspense check and `match` say of a line in suspense a
    rule written since its import claims (resolve/claimed.py)."""
    first = next((rule for rule in config.rules if rule.pattern.search(text)), None)
    if first is None or explaining_account(config, bank, amount, text) != first.account:
        return None
    return first




def booked_as(config, bank_account: str, account: str) -> tuple[str, str | None]:
    """(where a line of `bank_account` explained by `account` is booked, the other bank's
    account where it is a transfer between two of the banks): another bank's account, the
    line's own (a rule's pattern that finds both sides' texts) or the transfers account
    itself (a rule of every transfer, its other bank unnamed) is the transfers account,
    as the module docstring says; any other account is itself."""
    if account == config.transfers:
        return account, None
    if any(bank.account == account for bank in config.banks.values()):
        return config.transfers, (account if account != bank_account else None)
    return account, None


def sent_units(config, bank_account: str, account: str, amount: Decimal, currency: str, meta,
               paid=None) -> Amount | None:
    """What a bank credit of `amount` `currency` on `bank_account` takes from `account`,
    where that is not its own amount: the amount sent, where the bank converted it into
    the account's currency and the statement states it (`original-amount`: CAMT.053
    `InstdAmt`, a bank CSV's `original_credit` and `original_currency`; OFX's
    `ORIGCURRENCY` states a rate but no amount, MT940 neither), on the transit account of
    a channel that pays into this bank and pays out in that currency (a Stripe USD payout
    of 1,000.00 credited as 788.70 GBP takes 1,000.00 USD from transit, what the payout
    put in): its `currency:`, or one its payouts are in (`paid`: transit account -> the
    currencies the books and the statements beside hold its payouts in, paid_currencies;
    a multi-currency wallet, Airwallex, pays USD and EUR out of one channel, whatever its
    one `currency:` default says). So too the credit of a transfer between own accounts
    the bank converted, on the transfers account, where the amount sent is in the
    currency of the bank it names (`transfer-with`; without one, of another that holds
    it): the sending bank's debit books that amount, its own, and the two sides meet in
    it (a sweep of 2,000.00 EUR credited as 1,717.20 GBP takes 2,000.00 EUR). A debit is the amount sent: its own
    (the instructed amount a CAMT debit states in another currency is what the other
    bank credits; the fx-gap check judges its rate). None otherwise: the line takes its
    own amount."""
    sent = stated_amount(meta.get("original-amount")) if amount > 0 else None
    if sent is None or sent[1] == currency or not sent[0]:
        return None
    if account == config.transfers:
        peer = meta.get(TRANSFER_WITH)
        if any(bank.currency == sent[1] and bank.account != bank_account and peer in (None, bank.account)
               for bank in config.banks.values()):
            return Amount(-sent[0], sent[1])
        return None
    for channel in config.channels.values():
        if channel.accounts.transit == account and sent[1] in paid_in(channel, paid) and any(
                name in config.banks and config.banks[name].account == bank_account for name in channel.payout_banks):
            return Amount(-sent[0], sent[1])
    return None


def paid_in(channel, paid=None) -> tuple[str, ...]:
    """The currencies a channel pays out in, as far as is known: its `currency:` (the
    default, CNY, where config.yaml gives none) and those of its payouts `paid` names
    (transit account -> currencies: paid_currencies)."""
    return (channel.currency, *((paid or {}).get(channel.accounts.transit, ())))


def paid_currencies(config, postings) -> dict[str, set[str]]:
    """Transit account -> the currencies of the channels' payouts among `postings`
    ((account, number, currency) of entries with no bank posting: money a payout put in
    transit), for sent_units."""
    transit = {channel.accounts.transit for channel in config.channels.values()}
    out: dict[str, set[str]] = {}
    for account, number, currency in postings:
        if account in transit and number > 0:
            out.setdefault(account, set()).add(currency)
    return out


def counter_posting(config, bank_account: str, account: str, amount: Decimal, currency: str, meta,
                    paid=None) -> data.Posting:
    """The posting of a bank line of `amount` `currency` against `account`, what explains
    it: its amount the other way, or what it takes in another currency (sent_units) at the
    rate the bank applied, as Beancount balances it (applied_rate gives the line's amount
    back exactly; the fx-gap check judges the rate the statement states):

        2026-02-13 * "STRIPE PAYMENTS UK LTD" "STRIPE PAYOUT po_1ConvertedPay01"
          fx-pair: "USD/GBP"
          fx-rate: "0.7887"
          original-amount: "1000.00 USD"
          Assets:Bank:HSBC            788.70 GBP
          Assets:Transit:Stripe     -1000.00 USD @ 0.7887 GBP

    The import books a line so, and `match`, `link`, `book` and `unlink` restate a line
    they move (its counter posting as this gives it for where it goes). Another bank's
    account is the transfers account (booked_as)."""
    account = booked_as(config, bank_account, account)[0]
    sent = sent_units(config, bank_account, account, amount, currency, meta, paid)
    if sent is None:
        return posting(account, -amount, currency)
    return posting(account, sent.number, sent.currency,
                   price=Amount(applied_rate(sent.number, amount, currency), currency))


NOT_PROVIDED = "NOTPROVIDED"


def end_to_end_id(value: str | None) -> str:
    """An end-to-end id as the payer's bank passed it on (SEPA `EndToEndId`, MT940
    `EREF+`, Dutch `/EREF/`); `NOTPROVIDED`, which SEPA asks for where the payer gave
    none, is none. The one rule of every bank format."""
    value = (value or "").strip()
    return "" if value.upper() == NOT_PROVIDED else value


class LastLine:
    """A CSV bank statement's running balance row to row in file order, for its last line
    where the file ends without a line end after it: cut inside its last cell, the line may
    keep every cell and read (`-505.00` cut to `-50`, a balance of variable places, where
    toolkit whole_last_cell cannot tell). Where the two lines before it follow one from
    the other (the balance after one is the balance before the next, the file oldest or
    newest first), the last line must follow from the one before it too, else it is
    refused as cut off. A file whose balances do not step from line to line (several
    currencies, a bank's own order within a second) is not judged: only a chain the file
    keeps can be broken."""

    def __init__(self):
        self._steps: list[tuple[str, Decimal, Decimal]] = []   # the two lines before: (currency, after, before)

    def step(self, row, currency: str, moved: Decimal, after: Decimal, written: str, path: str) -> None:
        """A line that moved `moved` (its fee too) to its balance `after`; `written`: its amount as written."""
        before = after - moved
        if type(row) is UnendedRow and len(self._steps) == 2:
            (older, older_after, older_before), (cur, prev_after, prev_before) = self._steps
            chained = older == cur and (older_after == prev_before or prev_after == older_before)
            if chained and cur == currency and prev_after != before and after != prev_before:
                raise StatementError(path, row.line, f"the last line ends without a line end and its amount {written} "
                                     f"does not give its balance {after} from the line before's {prev_after} (is the "
                                     "file cut off?)")
        self._steps = [*self._steps[-1:], (currency, after, before)]


def unspaced(text) -> str:
    """Text with no whitespace at all: what a line says, however the bank wraps it (an
    MT940 :86: cut at 65 characters or at any other, a CAMT `Ustrd` cut into pieces of
    140, each joined with a space, a memo padded or spaced twice)."""
    return "".join(str(text or "").split())


class LineIds:
    """Ids for lines without an id of their own (an MT940 line, a CAMT entry without
    AcctSvcrRef, an OFX line without FITID, a bank CSV without a ref column), by one rule
    (of()): a line is known by what identifies it, never by how its text is written.

    - Where the statement gives the line a reference of the bank's own (MT940's after
      `//`, CAMT's NtryRef, OFX's REFNUM or CHECKNUM), that reference with the line's day
      and what else fixes it (account, amount, direction, currency) is its id; its text
      is not: a re-download may wrap it at another column or add fields (blind33:
      Rabobank's :86: ending `/ISDT/2026-11-02` booked the rent a second time).
    - Where it gives none, what the line says with its spacing removed (unspaced).

    Counted, so that two equal lines of one day in one file stay two lines, and a
    re-import (or an overlapping statement listing the same lines) finds the same ids
    again. A line that copies the one before it, its running balance not moving
    (`copies`, asked before the id), is no further line: it gets none.

    Releases before this rule made the id a digest of the text as written (`former`,
    counted apart): each new entry carries that id too (`_was`, hidden:
    render.transaction_identities), so that books they wrote find their lines again."""

    def __init__(self):
        self.seen: Counter = Counter()
        self.seen_before: Counter = Counter()
        self.copies = Copies()

    def __call__(self, date: dt.date, *parts) -> str:
        return self._counted(self.seen, date, parts)

    def of(self, date: dt.date, fixed: tuple, refs: tuple, says: tuple) -> str:
        """The id of a line of `date`: by the bank's references `refs` where it gives one,
        else by what it `says` (texts, unspaced); `fixed` in either (its amount, and
        what else names the line beside its text)."""
        refs = tuple(r for r in (str(r or "").strip() for r in refs) if r)
        if refs:
            return self(date, "ref", *fixed, *refs)
        return self(date, "says", *fixed, *map(unspaced, says))

    def former(self, date: dt.date, *parts) -> str:
        """The id a release before of() gave the line: the digest of `parts` as the importer
        passed them then, counted on its own."""
        return self._counted(self.seen_before, date, parts)

    @staticmethod
    def _counted(seen: Counter, date: dt.date, parts: tuple) -> str:
        digest = hashlib.sha1("|".join([f"{date:%Y-%m-%d}", *map(str, parts)]).encode()).hexdigest()[:12]
        seen[digest] += 1
        return f"{date:%Y%m%d}-{digest}-{seen[digest]}"


def was(new: str, former: str) -> tuple[str, ...] | None:
    """`_was` of a line's entry: the id a release before gave it, where it is another."""
    return (former,) if former != new else None


LISTED_TWICE = "line listed twice (its running balance does not move: booked once)"


class Copies:
    """Lines a statement lists twice, one right after the other, where each line states
    the running balance after it (a bank CSV's balance column, OFX's ACCTBAL). Ids of
    such lines are counted (LineIds; OFX's reused FITIDs), so that two identical
    transfers of one day stay two lines; but a line that says what the line before it
    said and whose balance does not move from that line's (an amount, yet the same
    balance after it) moved no money: it is a copy, counted as read, not booked, and
    said (blind12: a CMB download listing a credit twice, both times at 334,882.34,
    booked it twice, and the full month after the first half booked the copy as a new
    line). Two identical transfers whose balances step are two lines, and a line
    without a balance is never a copy: nothing says it moved no money. The line before
    is the one before in the file, of the same currency, whichever way the file lists
    its days (CMB's rows are not in date order)."""

    def __init__(self):
        self.last: dict = {}   # currency -> (line, what it says, what it moved, balance after) of the last line
        self.said = False

    def again(self, out: Extraction, line: int, currency: str, says: tuple, moved: Decimal,
              after: Decimal | None) -> bool:
        """Whether the line on `line` (`says`: all it states but its line number and its
        balance; `moved`: what it moves in `currency`; `after`: its running balance, None
        where it states none) copies the line before it. A copy is skipped, and the first
        one said naming both lines."""
        before = self.last.get(currency)
        if after is not None and moved and before is not None and before[1:] == (says, moved, after):
            out.skip(LISTED_TWICE)
            if not self.said:
                self.said = True
                out.notes.append(f"line {line} lists line {before[0]} again, and the running balance stays at "
                                 f"{after:f} {currency}: one line listed twice, booked once")
            return True
        self.last[currency] = (line, says, moved, after)
        return False


REPEATED = "in a statement the file lists again (read once)"


class Repeats:
    """A file's statements by what names them (`key`: the account, the statement's number
    and its opening balance): one the file lists again exactly (a download appended to
    itself, one `<Stmt>` pasted twice) is read once, as the same statement in two files
    is; its lines carry no id of their own (MT940, CAMT without AcctSvcrRef), and LineIds
    would count the copy's as further lines. One that names itself as an earlier one but
    says anything else is a contradiction no import can settle: refused, naming both
    (README "once": two rows of one statement with one id are one movement or a
    contradiction). The statement's own number alone names none: Rabobank writes
    `:20:940S…` and `:28C:0` on every one."""

    def __init__(self, path: str):
        self.path = path
        self.seen: dict = {}   # key -> (line, digest of all the statement says)

    def named_before(self, key) -> bool:
        """Whether a statement of this key came before (a streamed read, which holds no
        statement whole to compare, reads the file whole then); notes this one's."""
        if key in self.seen:
            return True
        self.seen[key] = None
        return False

    def again(self, key, line: int, content, label: str, lines: int, out: Extraction) -> bool:
        """Whether the statement on `line`, of `lines` lines, repeats an earlier one
        exactly (`content`: all it says, without line numbers): its lines are then
        counted as read and skipped, and the summary says so."""
        digest = hashlib.sha1(repr(content).encode()).hexdigest()
        if key not in self.seen:
            self.seen[key] = (line, digest)
            return False
        first, said = self.seen[key]
        if said != digest:
            raise StatementError(self.path, line, f"statement {label} again, as on line {first}: the same account, "
                                 "number and opening balance, but other lines or balances; a file lists a "
                                 "statement once (expected the one copy the bank sent)")
        out.rows += lines
        if lines:
            out.skipped[REPEATED] += lines
        out.notes.append(f"statement {label} on line {line} repeats the one on line {first} exactly: read once")
        return True


def own_days(out: Extraction, label: str, first: dt.date | None, last: dt.date | None, lines=(None, None),
             opens: dict | None = None, closes: dict | None = None, day_start: bool = True) -> None:
    """One statement of a file, its days and balances (Extraction.statements): from `first`
    to `last` (its stated period, else its opening's day and its closing's), widened to its
    own `lines` (the first and last day of its lines, None without); `opens` and `closes`:
    currency -> the amount it states. A statement of no day is none."""
    days = [day for day in (first, last, *lines) if day is not None]
    if days:
        out.statements.append(StatementDays(min(days), max(days), tuple(sorted((opens or {}).items())),
                                            tuple(sorted((closes or {}).items())), label, day_start))


class Closings:
    """Statement balances: each statement's opening, booked entries and closing balance
    per currency. The closing balance of each day becomes a `balance` assertion on the
    next day; where a file holds several statements of one day, the last one in the
    chain (the one no other statement opens from) wins."""

    def __init__(self, path: str, account: str):
        self.path, self.account = path, account
        self.rows: dict[str, BalanceChain] = defaultdict(BalanceChain)   # currency -> (time, line, booked, closing)

    def statement(self, out: Extraction, label: str, line: int, date: dt.date, currency: str,
                  opening: Decimal | None, booked: Decimal, closing: Decimal | None, final: bool = True,
                  opened: dt.date | None = None, first: dt.date | None = None) -> None:
        """Record one statement's closing balance; note a statement whose entries do not
        lead from its opening to its closing balance (a difference is reported, not hidden).
        An intermediate balance (not `final`: the statement goes on in another message)
        is checked but not asserted: more lines of that day may follow. The opening
        balance, dated `opened` (its first line on `first`), is kept where it is the
        earliest of the file: the books open with it (Extraction.stated_openings)."""
        for stated in (opening, closing):
            if stated is not None:
                in_currency_places(stated, currency, self.path, line, "balance")
        if opening is not None and opened is not None:
            self.opening(out, currency, opening, opened, first)
        if closing is None:
            return
        if final:
            self.rows[currency].append((dt.datetime.combine(date, dt.time()), line, booked, closing))
        if opening is not None and opening + booked != closing:
            out.notes.append(f"statement {label}: opening balance {opening} {currency} + entries {booked} = "
                             f"{opening + booked}, but the closing balance says {closing} "
                             f"({off_by(opening + booked, closing)})")

    def opening(self, out: Extraction, currency: str, amount: Decimal, opened: dt.date,
                first: dt.date | None) -> None:
        """A statement's opening balance: the balance at the end of the day it is dated,
        by the book; but banks date it the day of the first line too (Rabobank's `:60F:`,
        a CAMT `OPBD` of the statement's day), so it holds at the start of the earlier of
        the next day and the first line's. Of two statements starting on one day, the
        first in the file is the earlier."""
        day = min(opened + dt.timedelta(days=1), first or opened + dt.timedelta(days=1))
        key = (self.account, currency)
        held = out.stated_openings.get(key)
        if held is None or day < held.day:
            out.stated_openings[key] = StatedOpening(day, amount)

    def running(self, line: int, date: dt.date, currency: str, amount: Decimal, after: Decimal) -> None:
        """A line's running balance (the balance after it), as some statements give."""
        in_currency_places(after, currency, self.path, line, "balance")
        self.rows[currency].append((dt.datetime.combine(date, dt.time()), line, amount, after))

    def assertions(self) -> list[data.Balance]:
        out = []
        for currency, rows in sorted(self.rows.items()):
            for day, (line, amount) in sorted(closing_balances(rows).items()):
                out.append(balance(self.path, line, next_day(day), self.account, amount, currency))
        return out
