"""One bank file with the statements of several accounts (an MT940 or CAMT.053 download
of everything at the bank): each bank source whose `account_id` names one of them books
its own statements from the same `beanclear import`; where that cannot be told apart the
file is refused as before, never booked twice."""

from __future__ import annotations

import re

from conftest import beanclear, snapshot

TWO_ACCOUNTS = """\
:20:STMT1
:25:DE89370400440532013000
:28C:1/1
:60F:C260301EUR1000,00
:61:2603020302C250,00NTRFNONREF//B1
:86:166?00GUTSCHRIFT?20STRIPE PAYOUT 1?32STRIPE
:61:2603030303D40,00NTRFNONREF//B2
:86:166?00UEBERWEISUNG?20MIETE MAERZ?32VERMIETER GMBH
:62F:C260303EUR1210,00
-
:20:STMT2
:25:DE02120300000000202051
:28C:1/1
:60F:C260301EUR500,00
:61:2603040304D75,50NTRFNONREF//B3
:86:166?00UEBERWEISUNG?20STROM?32STADTWERKE
:62F:C260304EUR424,50
-
"""

BANKS = """\
books: books
timezone: Europe/Berlin
banks:
  main: {{type: mt940, account: Assets:Bank:Main, currency: EUR{main}}}
  spare: {{type: mt940, account: Assets:Bank:Spare, currency: EUR{spare}}}
"""


def merchant(tmp_path, main=', account_id: "DE89370400440532013000"', spare=', account_id: "0000202051"'):
    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "all_accounts.sta").write_text(TWO_ACCOUNTS, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(BANKS.format(main=main, spare=spare), encoding="utf-8")
    return tmp_path


def test_each_account_books_its_own_statements_of_one_file(tmp_path):
    root = merchant(tmp_path)
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert "all_accounts.sta: main (mt940 statement), 3 rows read, 2 entries written" in lines[0]
    assert "skipped 1 line of another account's statement (DE02120300000000202051)" in lines[0]
    assert "all_accounts.sta: spare (mt940 statement), 3 rows read, 1 entries written" in lines[1]
    assert "skipped 2 line of another account's statement (DE89370400440532013000)" in lines[1]
    main = (root / "books" / "main" / "2026" / "2026-03.beancount").read_text()
    spare = (root / "books" / "spare" / "2026" / "2026-03.beancount").read_text()
    assert "250.00 EUR" in main and "-40.00 EUR" in main and "75.50" not in main
    assert "-75.50 EUR" in spare and "250.00" not in spare
    assert re.search(r"^2026-03-04 balance Assets:Bank:Main +1210.00 EUR$", main, re.M)
    assert re.search(r"^2026-03-05 balance Assets:Bank:Spare +424.50 EUR$", spare, re.M)
    check = beanclear(root, "check")
    assert "Balance failed" not in check.output, check.output
    # Again: both sources record the file by its digest; nothing is read or written.
    before = snapshot(root / "books")
    again = beanclear(root, "import", str(root / "statements"))
    assert again.exit_code == 0 and again.output.count("imported before") == 2, again.output
    assert snapshot(root / "books") == before


def test_without_an_account_id_each_the_file_is_refused(tmp_path):
    root = merchant(tmp_path, spare="")
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 2
    assert "more than one source claims this file: main (mt940 statement), spare (mt940 statement)" in result.output
    assert not (root / "books").exists()


def test_account_ids_that_could_name_one_account_are_refused(tmp_path):
    # `0532013000` is the end of the IBAN the other names: both would take its statement.
    root = merchant(tmp_path, spare=', account_id: "0532013000"')
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 2 and "more than one source claims this file" in result.output
    assert not (root / "books").exists()


def test_a_source_forced_books_only_its_own(tmp_path):
    root = merchant(tmp_path)
    result = beanclear(root, "import", "--source", "spare", str(root / "statements"))
    assert result.exit_code == 0 and result.output.count("all_accounts.sta") == 1, result.output
    assert not (root / "books" / "main").exists()


def test_an_account_whose_statement_starts_past_the_head_is_claimed_by_its_bank(tmp_path):
    # blind sim266's helper: a file whose second account's statement starts 70 kB in was
    # claimed by the first account's bank alone, which skipped it as another's: its lines
    # were booked nowhere, exit 0. identify() skims the rest for the statements' accounts.
    many = "".join(f":61:2603020302C1,00NTRFNONREF//P{n}\n:86:166?00GUTSCHRIFT?20SHOP SALE {n:05d}?32KUNDE\n"
                   for n in range(1500))
    padded = TWO_ACCOUNTS.replace(":61:2603020302C250,00", many + ":61:2603020302C250,00").replace(
        ":62F:C260303EUR1210,00", ":62F:C260303EUR2710,00")
    assert padded.index(":25:DE02120300000000202051") > 65536
    root = merchant(tmp_path)
    (root / "statements" / "all_accounts.sta").write_text(padded, encoding="utf-8")
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, result.output
    assert "all_accounts.sta: spare (mt940 statement), 1503 rows read, 1 entries written" in lines[1]
    spare = (root / "books" / "spare" / "2026" / "2026-03.beancount").read_text()
    assert "-75.50 EUR" in spare
    assert "Balance failed" not in beanclear(root, "check").output


def test_a_bank_whose_account_the_file_never_names_does_not_claim_it(tmp_path):
    # must not fire: the skim finds no statement of an account_id the file lacks
    root = merchant(tmp_path, spare=', account_id: "0000999999"')
    result = beanclear(root, "import", str(root / "statements"))
    assert result.exit_code == 0, result.output
    assert "spare" not in result.output and not (root / "books" / "spare").exists()
