"""config.yaml read as YAML, defensively: the file is the merchant's, but it may come
from anywhere (a template, a colleague), and a few hundred bytes of YAML can hang a
program or fill its memory.

- Anchors and aliases are allowed (a shared fee rule), but what they expand to is
  bounded: MAX_NODES nodes in all. A "billion laughs" alias bomb is refused before
  anything walks or prints it; an alias that refers to itself too.
- A key given twice in one mapping is an error (YAML keeps the last one silently).
- A value YAML itself cannot make (`date: 2026-02-31`, `!!int two`) is an error naming
  its line and key path, not the constructor's traceback.
- The file itself is at most MAX_CONFIG_BYTES.
- A plain scalar YAML 1.1 reads as a number whose str() is not the text written
  (`01234567`, octal 342391; `0x1F`, `1_000`, `1:30`, `1.50`) keeps that text beside
  its value (written()): read as text, an id, it is what the file says (ids are
  strings, DESIGN §6); read as a number, an octal or base-60 one is refused (misread()).
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from beanclear.config.model import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024
MAX_NODES = 100_000  # values, keys and entries once aliases are expanded; real configs have hundreds
# libyaml's parser where PyYAML has it: the same nodes, marks and errors, read 7× faster
# (every command and every bean-check or Fava load of the books reads the config).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INT, FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class WrittenInt(int):
    """An int YAML read from text its str() does not give back; `.written` is that text."""


class WrittenFloat(float):
    """A float YAML read from text its str() does not give back; `.written` is that text."""


def _kept(kind: type, construct):
    def constructor(loader, node):
        value = construct(loader, node)
        if node.style or str(value) == node.value:   # quoted (`!!int "1"`), or as written (libyaml's plain: '')
            return value
        kept = kind(value)
        kept.written = node.value
        return kept
    return constructor


class _ConfigLoader(_Loader):
    """_Loader whose numbers keep the text they were written as (WrittenInt, WrittenFloat)."""


_ConfigLoader.add_constructor(INT, _kept(WrittenInt, _Loader.construct_yaml_int))
_ConfigLoader.add_constructor(FLOAT, _kept(WrittenFloat, _Loader.construct_yaml_float))


def written(value) -> str:
    """A scalar of the file as text: what it wrote where YAML read it as a number that
    str() would give otherwise (`account_id: 01234567` is "01234567", not "342391")."""
    return getattr(value, "written", None) or str(value)


def misread(value) -> str | None:
    """Why a whole number YAML read is not the number its text looks like, or None: an
    octal (`010` is 8) or base-60 (`1:30` is 90) one. Hex (`0x10`), `1_000`, `+3` are read
    as they look."""
    text = getattr(value, "written", "") if isinstance(value, int) else ""
    digits = text.lstrip("+-").replace("_", "")
    if ":" in digits:
        return f"the base-60 number {int(value)}: write {int(value)}, or what was meant"
    if len(digits) > 1 and digits[0] == "0" and digits[1:].isdigit():
        return f"the octal number {int(value)}: write {int(value)}, or {int(digits)}"
    return None


def safe_yaml(text: str, where: str, lines: dict[str, int] | None = None):
    """The YAML tree of a config file's text (`where` is the file, for messages); `lines`,
    given, gets the line of each key path (`channels.wechat.fees[0].rate` -> 12), so that
    an error of the config's reader names its line too (line_of)."""
    loader = _ConfigLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node, where, lines if lines is not None else {}, loader)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check(root, where: str, lines: dict[str, int], loader) -> None:
    """Count the nodes `root` expands to (each shared node once per use, memoised so the
    count itself is cheap), refuse recursion and duplicate keys; note each path's line;
    construct each scalar (the document's construction then takes it from the loader's
    cache), so that one YAML cannot make is refused at its line (_constructed)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node, path: str) -> int:
        lines.setdefault(path, node.start_mark.line + 1)
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(f"{where}:{node.start_mark.line + 1}: {path or 'config'}: an alias refers to the "
                              "value that holds it (expected a finite value)")
        open_nodes.add(key)
        total = 1
        if isinstance(node, ScalarNode) and node.tag != MERGE:
            _constructed(loader, node, f"{where}:{node.start_mark.line + 1}: {path or 'config'}")
        elif isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                name = _shown(k.value) if isinstance(k, ScalarNode) else "?"
                sub = f"{path}.{name}" if path else name
                if isinstance(k, ScalarNode) and k.value != "<<":
                    if k.value in seen:
                        raise ConfigError(f"{where}:{k.start_mark.line + 1}: {sub}: duplicate key (first given on "
                                          f"line {seen[k.value]}; YAML would keep only the last)")
                    seen[k.value] = k.start_mark.line + 1
                lines.setdefault(sub, k.start_mark.line + 1)   # a key's own line, not its value's
                total += size(k, sub) + size(v, sub)
                if total > MAX_NODES:
                    break
        elif isinstance(node, SequenceNode):
            for i, v in enumerate(node.value):
                total += size(v, f"{path}[{i}]")
                if total > MAX_NODES:
                    break
        open_nodes.discard(key)
        if total > MAX_NODES:
            raise ConfigError(f"{where}:{node.start_mark.line + 1}: {path or 'config'}: expands to more than "
                              f"{MAX_NODES:,} values through anchors and aliases (an alias bomb?); refused")
        sizes[key] = total
        return total

    size(root, "")


MERGE = "tag:yaml.org,2002:merge"   # `<<`: no value of its own, the mapping's constructor merges it
TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _constructed(loader, node: ScalarNode, where: str) -> None:
    """Construct a scalar, or refuse it as a ConfigError naming `where` (file:line: key
    path): PyYAML's constructors raise what they meet — ValueError of an impossible date
    (`2026-02-31` looks like one, so YAML makes it a date), of `!!int two`, `!!float x`;
    KeyError of `!!bool maybe`; AttributeError of `!!timestamp soon` — not YAMLError."""
    try:
        loader.construct_object(node)
    except Exception as exc:   # noqa: BLE001 (whatever a constructor raises: the value is not one)
        detail = getattr(exc, "problem", None) or (str(exc) if isinstance(exc, (ValueError, OverflowError)) else "")
        value = _shown(str(node.value)) + (f": {detail}" if detail else "")
        what = "a date" if node.tag == TIMESTAMP else f"a valid {node.tag.replace('tag:yaml.org,2002:', '!!')}"
        raise ConfigError(f"{where}: not {what} ({value})") from None


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def line_of(message: str, lines: dict[str, int]) -> int | None:
    """The line of the key path a reader's message starts with (`channels.x.fees[0].rate:
    …`), or of the nearest key above it that the file has (a key missing: its mapping)."""
    path = message.split(": ", 1)[0]
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
