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
