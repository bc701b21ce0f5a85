"""Writing config.yaml: a rule added to its `rules:` as lines of their own.

The file is the merchant's, laid out by hand; a rule `beanclear book --rule` saves is
inserted into its text (after the last rule, or a `rules:` key added after the last
key), the file's other lines kept byte for byte: a round trip through a YAML library
rewrites what it does not keep (a flow mapping wrapped over two lines was joined into
one, CRLF line ends became LF). The text with the rule is read back: a file where the
insertion would read as more than the rule added is refused, naming what to add by
hand. The caller writes the text (resolve/booking.py, through the one writer).

Refusals are this module's own (RuleRefused; BadPattern for a pattern that is no
regular expression): the caller says them in its own terms.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from beanclear.config.loader import safe_yaml, written
from beanclear.config.model import ConfigError

WIDE = 1 << 30   # no scalar of the rule is folded over lines


class RuleRefused(ValueError):
    """The rule cannot be added to config.yaml as asked; the message says why."""


class BadPattern(RuleRefused):
    """The rule's pattern is no regular expression (or nothing): malformed whatever the
    file holds."""


class _NotMinimal(Exception):
    """The rule cannot be added as lines of its own; the message says why."""


def compiled_pattern(text: str | None) -> re.Pattern:
    """A rule's pattern compiled as the rules read it; BadPattern where it is nothing (blank)
    or no regular expression."""
    text = (text or "").strip()
    if not text:
        raise BadPattern("rule: expected a regular expression, got nothing")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise BadPattern(f"rule: {text!r} is not a regular expression ({exc})") from None


def with_rule(config_path: str | Path, pattern: str, account: str, text: str) -> tuple[str, bool]:
    """config.yaml's text with the rule appended to `rules:` (made when absent), and
    whether it changed. The pattern must be a regular expression that finds `text`."""
    pattern = (pattern or "").strip()
    compiled = compiled_pattern(pattern)
    path = Path(config_path)
    original = path.read_bytes().decode("utf-8")   # as written: its line ends too
    data = _data(original, path)
    if data is None:
        raise RuleRefused(f"{path.name} is not a config (expected a mapping of keys)")
    for existing in data.get("rules") or []:
        # the rule is there: done (the line's text may be a narration the first run gave it)
        if isinstance(existing, dict) and written(existing.get("match")) == pattern \
                and written(existing.get("account")) == account:
            return original, False
    if not compiled.search(text):
        # (the text the rules read begins with the space of no payee: not the line's text)
        raise RuleRefused(f"rule: {pattern!r} does not find the line's text {text.strip()!r}, so it would not "
                          "book it")
    rule = {"match": pattern, "account": account}
    try:
        text_out = _inserted(original, rule)
        if _data(text_out, path, quiet=True) != {**data, "rules": list(data.get("rules") or []) + [rule]}:
            raise _NotMinimal("added as lines of their own, the rest of the file would read differently")
    except _NotMinimal as exc:
        raise RuleRefused(f"rule: cannot add it to {path.name} without rewriting other lines of it ({exc}); "
                          f"add `- {_flow(rule)}` to its `rules:` by hand") from None
    _still_valid(path, text_out)
    return text_out, True


def _data(text: str, path: Path, quiet: bool = False) -> dict | None:
    """The config's YAML as data (None when the text is no mapping; `quiet`: also when it
    is no YAML the reader takes)."""
    try:
        data = safe_yaml(text, str(path))
    except (yaml.YAMLError, ConfigError, RecursionError) as exc:
        if quiet:
            return None
        raise RuleRefused(f"{path.name}: cannot read it ({str(exc).splitlines()[0]})") from None
    return data if isinstance(data, dict) else None


def _inserted(text: str, rule: dict[str, str]) -> str:
    """`text` with `rule` inserted at the end of its `rules:`, in the layout of the rules
    before it (a block or a flow item, their indentation, the file's line end)."""
    nl = _newline(text)
    loader = yaml.SafeLoader(text)   # (the nodes and tokens with their places in the text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    if not isinstance(root, MappingNode):
        raise _NotMinimal("it holds no mapping of keys")
    key, rules = next(((k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == "rules"),
                      (None, None))
    if rules is None:   # `rules:` after the last key
        if root.flow_style:
            raise _NotMinimal("the file is one flow mapping")
        column = root.start_mark.column
        offset, gap = _sequence_layout(root)
        return _lines_at(text, root.end_mark.index, " " * column + "rules:\n"
                         + _block(rule, column + offset, gap), nl)
    if isinstance(rules, ScalarNode) and rules.tag == "tag:yaml.org,2002:null":
        if rules.start_mark.index == rules.end_mark.index:   # `rules:` and nothing: the rule under it
            offset, gap = _sequence_layout(root)
            return _lines_at(text, _line_end(text, rules.start_mark.index),
                             _block(rule, key.start_mark.column + offset, gap), nl)
        # `rules: ~`: the list of the rule in its place
        return text[:rules.start_mark.index] + f"[{_flow(rule)}]" + text[rules.end_mark.index:]
    if not isinstance(rules, SequenceNode):
        raise _NotMinimal("its `rules:` is no list")
    inside = [t for t in tokens if rules.start_mark.index <= t.start_mark.index < t.end_mark.index
              and t.end_mark.index <= rules.end_mark.index]   # (not the marks of no width: block ends, keys)
    if rules.flow_style:
        return _in_flow(text, rule, inside, nl)
    # a block sequence: after its last item's last token, as an item of the same indentation
    last = max(t.end_mark.index for t in inside)
    column = rules.start_mark.column
    entries = [i for i, t in enumerate(inside) if isinstance(t, yaml.BlockEntryToken)
               and t.start_mark.column == column]
    gap = 1
    if entries and entries[-1] + 1 < len(inside):
        dash, after = inside[entries[-1]], inside[entries[-1] + 1]
        if after.start_mark.line == dash.start_mark.line:
            gap = max(1, after.start_mark.column - column - 1)
    item = rules.value[-1] if rules.value else None
    if isinstance(item, MappingNode) and item.flow_style:
        lines = " " * column + "-" + " " * gap + _flow(rule) + "\n"
    else:
        lines = _block(rule, column, gap)
    # (a block scalar's last token ends at the start of the line after it)
    at = last if last > 0 and text[last - 1] in "\r\n" else _line_end(text, last)
    return _lines_at(text, at, lines, nl)


def _in_flow(text: str, rule: dict[str, str], inside: list[yaml.Token], nl: str) -> str:
    """`text` with `rule` added to the flow sequence whose tokens are `inside`: on the
    line of its last item, or on a line of its own where each item has one (as indented,
    with a trailing comma where it has one)."""
    close, before = inside[-1], inside[-2]
    if isinstance(before, yaml.FlowSequenceStartToken):   # `[]`
        return text[:before.end_mark.index] + _flow(rule) + text[before.end_mark.index:]
    comma = before if isinstance(before, yaml.FlowEntryToken) else None
    last = inside[-3] if comma else before
    at = last.end_mark.index
    if (comma or last).end_mark.line == close.start_mark.line:
        return text[:at] + ", " + _flow(rule) + text[at:]
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    indent = text[start:at][:len(text[start:at]) - len(text[start:at].lstrip(" "))]
    if comma:
        return _lines_at(text, _line_end(text, comma.end_mark.index), indent + _flow(rule) + ",\n", nl)
    end = _line_end(text, at)   # the comma the last item lacks, its comment kept on its line
    return text[:at] + "," + text[at:end] + indent + _flow(rule) + nl + text[end:]


def _sequence_layout(root: Node) -> tuple[int, int]:
    """How the file indents a list under its key: the dash's columns beyond the key's and
    the spaces after the dash, as its first block list of a key does (else as far as its
    mappings indent, else 2 and 1)."""
    seen, todo, mapping_indent = set(), [root], None
    while todo:
        node = todo.pop(0)
        if id(node) in seen or not isinstance(node, MappingNode) or node.flow_style:
            continue
        seen.add(id(node))
        for key, value in node.value:
            if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                offset = value.start_mark.column - key.start_mark.column
                first = value.value[0]
                gap = first.start_mark.column - value.start_mark.column - 1 \
                    if first.start_mark.line == value.start_mark.line else 1
                if offset >= 0 and gap >= 1:
                    return offset, gap
            if isinstance(value, MappingNode) and not value.flow_style and mapping_indent is None \
                    and value.start_mark.column > key.start_mark.column:
                mapping_indent = value.start_mark.column - key.start_mark.column
            todo.append(value)
    return (mapping_indent or 2), 1


def _block(rule: dict[str, str], column: int, gap: int) -> str:
    """The rule as a block item of a list: its dash at `column`, `gap` spaces after it."""
    return "".join((" " * column + "-" + " " * gap if i == 0 else " " * (column + 1 + gap))
                   + _pair(key, value) + "\n" for i, (key, value) in enumerate(rule.items()))


def _flow(rule: dict[str, str]) -> str:
    """The rule as a flow mapping on one line: `{match: ALIYUN, account: Expenses:Hosting}`."""
    return "{" + ", ".join(_pair(key, value, flow=True) for key, value in rule.items()) + "}"


def _pair(key: str, value: str, flow: bool = False) -> str:
    """`key: value` on one line, the value plain where YAML reads it back so (in a flow
    mapping when `flow`), else quoted (double quotes where it holds a line break, escaped)."""
    options = dict(allow_unicode=True, width=WIDE)
    lines = yaml.safe_dump({key: value}, default_flow_style=False, **options).splitlines()   # (YAML's breaks too)
    pair = lines[0] if len(lines) == 1 else \
        f"{key}: " + yaml.safe_dump(value, default_style='"', **options).splitlines()[0]
    if flow:   # PyYAML's emitter quotes `'Expenses:Hosting'` in a flow mapping, where its reader takes it plain
        try:
            plain = yaml.safe_load("{" + pair + "}") == {key: value}
        except yaml.YAMLError:
            plain = False
        if not plain:
            pair = yaml.safe_dump({key: value}, default_flow_style=True, **options).strip()[1:-1]
    return pair


def _newline(text: str) -> str:
    """The file's line end: that of its first line (LF when it has one line)."""
    match = re.search(r"\r\n|\n|\r", text)
    return match.group() if match else "\n"


def _line_end(text: str, at: int) -> int:
    """Where the line holding `at` ends: after its line break, else the text's end."""
    match = re.compile(r"\r\n|\n|\r").search(text, at)
    return match.end() if match else len(text)


def _lines_at(text: str, at: int, lines: str, nl: str) -> str:
    """`text` with `lines` (ending with a line break) inserted at `at`, the start of a
    line (or the text's end, after a line break of its own), in the file's line ends."""
    if at > 0 and text[at - 1] not in "\r\n":
        lines = "\n" + lines
    return text[:at] + lines.replace("\n", nl) + text[at:]


def _still_valid(path: Path, text: str) -> None:
    """The config with the rule must load (a pattern the reader refuses is refused here,
    at config.yaml's line: the text is checked as that file, never written elsewhere)."""
    from beanclear.config import from_text   # (the package's reader, which imports no writer)
    try:
        from_text(text, path)
    except ConfigError as exc:
        raise RuleRefused(f"the rule would make {path.name} invalid: {exc}") from None
