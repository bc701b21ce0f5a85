"""Run beanclear on a generated merchant and score its findings against the truth.

A finding matches a truth problem of the same code when their refs intersect; problems
without one id (unsettled, refund-rate, refund-surge, statement-gap, a bank line without a
reference) match a finding of the same code and source dated inside the problem's window.
Each problem matches at most one finding; every other finding is false. Beancount's own
errors come as findings of code `beancount`, all false.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import config as config_mod
from . import forked
from .shape import MARKETPLACES, draw
from .truth import build, conservation
from .writers import folder_of, write_all

CODES = ["order-unpaid", "payment-without-order", "amount-mismatch", "duplicate-charge", "refund-unsynced",
         "unsettled", "payout-mismatch", "payout-missing", "bank-unmatched", "fee-gap", "fx-gap", "refund-rate",
         "refund-surge", "statement-gap", "beancount"]


def _clean_id(x) -> str:
    return str(x).strip().strip("`'\t ")


def generate(seed: int, out: Path, clean: bool = False, size: str = "small"):
    shape = draw(seed, size)
    if clean:   # nothing to find: no marketplace store, whose orders no statement here pays
        shape.shops = [s for s in shape.shops if s.type not in MARKETPLACES]
    m = build(shape, clean)
    for sub in ("books", "statements"):
        if (out / sub).exists():
            if not (out / "truth.json").is_file():   # a folder an earlier generate() wrote: never another's
                raise ValueError(f"{out}: holds {sub}/ but no truth.json: not a simulated merchant's folder; "
                                 "name an empty or new folder")
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    config_mod.write(shape, out / "config.yaml")
    write_all(m, out / "statements")
    truth = {"problems": [p.as_dict() for p in m.problems], "conservation": conservation(m), "shape": shape.summary()}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return m, truth


BEAN_CHECK = "import sys\nfrom beancount.scripts.check import main\nsys.exit(main())\n"


def bean_check_errors(main: Path) -> int:
    """How many errors plain bean-check reports on the books (one `file:line: message` each)."""
    done = forked.run([str(main)], timeout=600, env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"},
                      code=BEAN_CHECK, argv0="bean-check")
    return sum(1 for line in done.stderr.splitlines() if re.match(r"\S.*:\d+: ", line))


# The day every scored command takes for today: after any merchant's days (they end within
# 2026 or soon after), whatever the machine's date. With the machine's, a merchant whose
# bank statements reach past it was refused ("a row dated after today": seed 34773 on
# 2026-12-07), and a score depended on the day it was run.
SCORED_TODAY = "2027-06-30"


def _run(args, timeout=600):
    # each command a process of its own, as a user runs it (forked.py: without paying the
    # library's imports for each)
    return forked.run(args, timeout=timeout, env={"BEANCLEAR_TODAY": SCORED_TODAY, **os.environ, "PYTHONHASHSEED": "0"})


def match(problems, findings):
    """-> (pairs [(problem, finding)], unmatched problems, unmatched findings)."""
    free = list(range(len(findings)))
    pairs, missed = [], []
    # problems with ids first, so a windowed problem cannot take a finding that names a
    # precise one; windowed ones by the end of their window, each taking the earliest
    # finding in it, so that two overlapping windows take the two findings they hold
    # whichever order they were made in (interval scheduling)
    def order(p):
        window = p.get("window")
        return (window is not None, window[1] if window else "")

    def dated(i):
        return str(findings[i].get("date"))[:10]

    for p in sorted(problems, key=order):
        refs = {_clean_id(r) for r in p["refs"] if r}
        hit = None
        for i in sorted(free, key=dated) if p.get("window") else free:
            f = findings[i]
            if f.get("code") != p["code"]:
                continue
            if refs and refs & {_clean_id(r) for r in f.get("refs") or []}:
                hit = i
                break
            if p.get("window"):
                lo, hi = (date.fromisoformat(x) for x in p["window"])
                try:
                    fd = date.fromisoformat(str(f.get("date"))[:10])
                except ValueError:
                    continue
                if f.get("source") in {p["source"], *p.get("sources", [])} and lo <= fd <= hi:
                    hit = i
                    break
        if hit is None:
            missed.append(p)
        else:
            free.remove(hit)
            pairs.append((p, findings[hit]))
    return pairs, missed, [findings[i] for i in free]


def per_code(problems, findings, pairs):
    out = {}
    for code in CODES + sorted({f.get("code") for f in findings} - set(CODES)):
        t = sum(1 for p in problems if p["code"] == code)
        f = sum(1 for x in findings if x.get("code") == code)
        tp = sum(1 for p, _ in pairs if p["code"] == code)
        out[code] = {"truth": t, "found": f, "true_positive": tp,
                     "precision": round(tp / f, 4) if f else None, "recall": round(tp / t, 4) if t else None}
    return out


def books_conservation(out: Path, shape, truth_cons) -> dict:
    from beancount import loader
    from beancount.core import data
    entries, _errors, _ = loader.load_file(str(out / "books" / "main.beancount"))
    bal = defaultdict(Decimal)
    ch_vals = {c.name: defaultdict(lambda: defaultdict(Decimal)) for c in shape.channels}
    # a channel's accounts end in its config key as an account name can write it
    # (`stripe_us` -> `…:StripeUs`): compared without case or punctuation
    plain = lambda text: re.sub(r"[^a-z0-9]", "", text.lower())
    keys = {plain(key): name for name, key in config_mod.style(shape)["keys"].items()}
    low = lambda acct: keys.get(plain(acct.split(":")[-1]), acct)
    for e in entries:
        if not isinstance(e, data.Transaction):
            continue
        for p in e.postings:
            bal[(p.account, p.units.currency)] += p.units.number
        for c in shape.channels:
            if not any(p.account.startswith("Assets:Clearing:") and low(p.account) == c.name for p in e.postings):
                continue
            v = ch_vals[c.name]
            for p in e.postings:
                n, cur = p.units.number, p.units.currency
                if p.account.startswith(("Income:", "Assets:Receivable:")):
                    v[cur]["sales" if n < 0 else "refunds"] += abs(n)
                elif p.account == "Expenses:FX" and "customer-amount" in e.meta:
                    v[cur]["refunds"] += n   # a converted order's refund: its conversion difference
                    # beside the receivable is of what it gave back (statements/refund_fx.py)
                elif p.account.startswith("Expenses:Fees:") and low(p.account) == c.name:
                    v[cur]["fees"] += n
                elif p.account.startswith("Expenses:Chargebacks:") and low(p.account) == c.name:
                    v[cur]["chargebacks"] += n      # disputes: the amount taken back and its fee
                elif p.account.startswith("Assets:Transit:") and low(p.account) == c.name and n > 0:
                    v[cur]["payouts"] += n
    for (acct, cur), n in bal.items():
        for c in shape.channels:
            if acct.startswith("Assets:Clearing:") and low(acct) == c.name:
                ch_vals[c.name][cur]["clearing"] += n
    result, exact = {"channels": {}, "banks": {}}, True
    visible = {c.name: c.payouts_visible for c in shape.channels}
    for name, curs in truth_cons["channels"].items():
        result["channels"][name] = {}
        for cur, vals in curs.items():
            row = {}
            for k, tv in vals.items():
                if k in ("payouts", "clearing") and not visible[name]:
                    continue  # a trade view alone shows no payouts: the bank's credits are all the books have
                bv = ch_vals[name][cur][k]
                ok = Decimal(tv) == bv
                exact &= ok
                row[k] = {"truth": tv, "books": str(bv), "ok": ok}
            result["channels"][name][cur] = row
    for b in shape.banks:
        tv = Decimal(truth_cons["banks"][b.name][b.currency])
        bv = bal[(b.account, b.currency)]
        exact &= tv == bv
        result["banks"][b.name] = {"truth": str(tv), "books": str(bv), "ok": tv == bv}
    result["exact"] = exact
    return result


def _named(problem: dict, keys: dict) -> dict:
    """A problem of a channel under the name the merchant's config gives that channel."""
    return {**problem, "source": keys.get(problem["source"], problem["source"]),
            **({"sources": [keys.get(s, s) for s in problem["sources"]]} if problem.get("sources") else {})}


def _first_run(shape, statements: Path) -> list[list[Path]]:
    """What a merchant imports before the whole folder: where a channel's bills come a
    file a day, the shops' exports and the first half of those days; where a bank or a
    channel was downloaded twice, its first download."""
    daily = [c.name for c in shape.channels if c.daily]
    early = sorted((statements / "banks").glob("*-1/*")) + sorted(statements.glob("*/part-1/*"))
    if daily:
        mid = shape.start + (shape.end - shape.start) / 2
        early += sorted(p for p in (statements / "shops").rglob("*") if p.is_file() and "part-2" not in p.parts)
        for name in daily:
            early += [f for f in sorted((statements / folder_of(shape, shape.channel(name))).glob("fundflow-*.csv"))
                      if date.fromisoformat(f.stem.split("-", 1)[1]) <= mid]
    return [early] if early else []


def _one_by_one(seed: int, statements: Path) -> list[list[Path]]:
    """A quarter of merchants import their files one at a time, in no order (one who began
    with this month goes back to the last; a colleague imports the bank's file first): the
    books must come out as importing them together writes them. A stream of its own."""
    rng = random.Random(f"import order {seed}")
    if rng.random() >= 0.25:
        return []
    files = sorted(p for p in statements.rglob("*") if p.is_file())
    rng.shuffle(files)
    return [[f] for f in files]


def score(seed: int, out: Path, clean: bool = False, size: str = "small", one_by_one: bool = True) -> dict:
    """The seed's merchant imported as a merchant would (`one_by_one`: a quarter of the
    seeds, file by file in no order first, a process each), checked and matched, scored
    against its truth."""
    out = Path(out)
    m, truth = generate(seed, out, clean, size)
    cfg = str(out / "config.yaml")
    result = {"seed": seed, "clean": clean, "shape": truth["shape"]}
    singly = _one_by_one(seed, out / "statements") if one_by_one else []
    for early in _first_run(m.shape, out / "statements") + singly:
        imp = _run(["import", "-c", cfg, *map(str, early)])
        if imp.returncode != 0:   # 2: refused; anything else (a traceback's 1) is a failure too
            result["import_failed"] = (imp.stderr or imp.stdout).strip()[-2000:]
            return result
    imp = _run(["import", "-c", cfg, str(out / "statements")])
    result["import"] = {"exit": imp.returncode, "output": (imp.stdout + imp.stderr)[-3000:]}
    if imp.returncode != 0:
        result["import_failed"] = (imp.stderr or imp.stdout).strip()[-2000:]
        return result
    chk = _run(["check", "-c", cfg, "--format", "json"])
    try:
        findings = json.loads(chk.stdout)["findings"]
    except (ValueError, KeyError):
        result["check_failed"] = (chk.stdout + chk.stderr)[-2000:]
        return result
    problems = [_named(p, config_mod.style(m.shape)["keys"]) for p in truth["problems"]]
    pairs, missed, false = match(problems, findings)
    result["codes"] = per_code(problems, findings, pairs)
    result["findings"] = len(findings)
    result["missed"] = missed
    result["false"] = [{k: f.get(k) for k in ("code", "source", "date", "refs", "message", "file", "line")} for f in false]
    result["match"] = match_score(m, out, truth)
    try:
        result["conservation"] = books_conservation(out, m.shape, truth["conservation"])
    except Exception as e:          # noqa: BLE001 - a book that does not load is a score, not a crash
        result["conservation"] = {"exact": False, "error": f"{type(e).__name__}: {e}"}
    return result


_ID_LINE = re.compile(r'^\s+id: "(.*)"$')


def _line_days(books: Path) -> dict[str, str]:
    """Each entry id of the books -> its date, read from the text."""
    days, day = {}, None
    for path in books.rglob("*.beancount"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line[:4].isdigit():
                day = line[:10]
            elif (found := _ID_LINE.match(line)) and day:
                days[found.group(1)] = day
    return days


def match_score(m, out: Path, truth: dict) -> dict:
    """`beanclear match`'s confident proposals against the truth: a payout's bank line
    (found by its reference in the line's id, or by its day and amount where the bank's
    format has no reference and they are unique) must be linked to that payout (any id
    the channel's statements give it). A planted bank line nothing explains, linked to
    anything, is wrong; a line the truth cannot tell apart (two of one day and amount)
    is counted as unknown. Proposals not confident are counted, not judged. A credit the
    bank converted (truth._credit) is judged as any other, by its reference; its amount
    in a proposal is the line's own (EUR), as `refs_at` holds it."""
    run = _run(["match", "-c", str(out / "config.yaml"), "--format", "json"])
    try:
        proposals = json.loads(run.stdout)["proposals"]
    except (ValueError, KeyError):
        return {"failed": (run.stdout + run.stderr)[-1000:]}
    payout_of = {ref: po for po in m.payouts for ref in (po.bank_ref, po.split_ref) if ref}
    unexplained = {ref for p in truth["problems"] if p["code"] == "bank-unmatched" for ref in p.get("refs", [])}
    refs_at: dict[tuple[str, Decimal], list[str]] = defaultdict(list)
    for lines in m.bank_lines.values():
        for line in lines:
            refs_at[(str(line.day), line.amount)].append(line.ref)
    days = _line_days(out / "books")
    result = {"confident": 0, "right": 0, "unknown": 0, "unsure": 0, "wrong": []}
    for proposal in proposals:
        if not proposal.get("confident"):
            result["unsure"] += 1
            continue
        result["confident"] += 1
        refs = []
        for line_id, amount in zip(proposal["bank_refs"], proposal["bank_amounts"]):
            named = [ref for ref in (*payout_of, *unexplained) if ref and ref in line_id]
            at = refs_at.get((days.get(line_id), Decimal(amount)), [])
            refs.append(named[0] if len(named) == 1 else at[0] if len(at) == 1 else None)
        items = {str(i) for pair in proposal.get("items", []) for i in pair}
        if any(ref in unexplained for ref in refs):
            result["wrong"].append({**proposal, "truth": "a bank line nothing explains"})
        elif None in refs or not all(ref in payout_of for ref in refs):
            result["unknown"] += 1
        elif all(items & {payout_of[ref].id, payout_of[ref].txn_id, *map(str, payout_of[ref].file_ids)} for ref in refs):
            result["right"] += 1
        else:
            result["wrong"].append({**proposal, "truth": [payout_of[ref].id for ref in refs]})
    return result


def one_left_out(seed: int, out: Path, size: str = "small") -> dict:
    """One cause, one finding: the merchant of `seed` with one statement file left out
    (drawn from a stream of its own; not the FX prices, which only the fx-gap check
    reads), imported and checked. Its findings beyond the truth should be at most the
    one gap the file leaves, not one per row it held: {dropped, findings, beyond (the
    findings the truth does not hold), missed (truth problems not found: most held
    their evidence in the file)}."""
    out = Path(out)
    m, truth = generate(seed, out, False, size)
    files = sorted(p for p in (out / "statements").rglob("*") if p.is_file() and "prices" not in p.parts)
    dropped = random.Random(f"drop {seed}").choice(files)
    dropped.unlink()
    result = {"seed": seed, "dropped": str(dropped.relative_to(out / "statements"))}
    imp = _run(["import", "-c", str(out / "config.yaml"), str(out / "statements")])
    if imp.returncode != 0:
        result["import_failed"] = (imp.stderr or imp.stdout).strip()[-2000:]
        return result
    chk = _run(["check", "-c", str(out / "config.yaml"), "--format", "json"])
    findings = json.loads(chk.stdout)["findings"]
    problems = [_named(p, config_mod.style(m.shape)["keys"]) for p in truth["problems"]]
    _pairs, missed, beyond = match(problems, findings)
    # DESIGN §2: plain bean-check fails with the errors `beanclear check` lists, no more
    result["check_errors"] = sum(f["severity"] == "error" and not f["acknowledged"]
                                 and (f.get("follow_up") or {}).get("state") != "following up" for f in findings)
    result["bean_check_errors"] = bean_check_errors(out / "books" / "main.beancount")
    result.update(findings=len(findings), missed=missed,
                  beyond=[{k: f.get(k) for k in ("code", "source", "date", "message")}
                          for f in beyond])
    return result
