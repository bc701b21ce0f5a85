"""The README starts with the two commands, and CI runs the second one verbatim."""

import re

from conftest import REPO


def test_readme_starts_with_demo_and_test_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    demo, tests = blocks[0], blocks[1]
    assert readme.index(demo) < readme.index("## ")
    assert demo.endswith("beanclear demo") and "pip install" in demo
    assert tests.endswith("pytest") and "pip install" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_the_readme_lists_every_finding_code_with_its_default_severity_and_points_at_docs():
    from beanclear.checks.findings import DEFAULT_SEVERITY
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    design = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    for text in (readme, design):
        rows = dict(re.findall(r"^\| `([a-z-]+)` \|.*?\| (error|warning) \|[^|]*\|$", text, re.M))
        assert {code: rows.get(code) for code in DEFAULT_SEVERITY} == DEFAULT_SEVERITY
        assert rows.get("beancount") == "error"
    assert "docs/design.md" in readme and "shared/DESIGN.md" not in readme


def test_the_readme_loop_on_the_demo_merchant_closes_january_on_any_day(demo_copy, monkeypatch):
    # a newcomer typed the loop on 2026-12-05: its own follow-up of #1573, due 2026-04-30,
    # was overdue, and `beanclear close 2026-01` refused. Run as printed on a later day.
    import shlex

    from click.testing import CliRunner

    from beanclear import cli
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    loop = readme.split("### The loop on the demo merchant", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    env = {"BEANCLEAR_TODAY": "2027-01-01"}     # any day after the loop's due dates
    lines = [shlex.split(line, comments=True) for line in loop.splitlines()]
    demo = ["beanclear", "demo", "demo", "&&", "cd", "demo"]     # what demo_copy is
    assert demo in lines
    monkeypatch.chdir(demo_copy())
    for words in lines:
        if words[0] == "export":
            env.update([words[1].split("=", 1)])
        elif words != demo:
            assert words[0] == "beanclear", words
            result = CliRunner().invoke(cli.main, words[1:], env=env)
            assert result.exit_code == 0, (words, result.output)


def test_the_command_table_says_an_action_done_twice_exits_0():
    # a blind tester acknowledged a finding twice: "already acknowledged; nothing was
    # written", exit 0, as "Resolving findings" says of any action done twice; the table
    # said "2 when nothing was written". Exit 2 is a refusal (which writes nothing too).
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 3)[2]
    rows = {re.match(r"\| `beanclear ([a-z-]+)", row).group(1): row.rstrip(" |").rsplit(" | ", 1)[1]
            for row in table.splitlines()[2:]}
    assert "2 when refused" in rows["ack"] and "already acknowledged" in rows["ack"]
    assert not [name for name, cell in rows.items() if "2 when nothing was written" in cell]
    twice = readme.split("Doing an action twice writes", 1)[1].split(".", 1)[0]
    assert "the command exits 0" in twice
