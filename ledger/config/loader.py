"""config.yaml read as YAML, defensively: the file is the merchant's, but it may come
from anywhere (a template, a colleague), and a few hundred bytes of YAML can hang a
program or fill its memory.

- Anchors and aliases are allowed (a shared fee rule), but what they expand to is
  bounded: MAX_NODES nodes in all. A "billion laughs" alias bomb is refused before
  anything walks or prints it; an alias that refers to itself too.
- A key given twice in one mapping is an error (YAML keeps the last one silently).
- The file itself is at most MAX_CONFIG_BYTES.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from beanclear.config.model import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024
MAX_NODES = 100_000  # values, keys and entries once aliases are expanded; real configs have hundreds


def safe_yaml(text: str, where: str):
    """The YAML tree of a config file's text (`where` is the file, for messages)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node, where)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check(root, where: str) -> None:
    """Count the nodes `root` expands to (each shared node once per use, memoised so the
    count itself is cheap), refuse recursion and duplicate keys."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node, path: str) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(f"{where}:{node.start_mark.line + 1}: {path or 'config'}: an alias refers to the "
                              "value that holds it (expected a finite value)")
        open_nodes.add(key)
        total = 1
        if isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for k, v in node.value:
                name = _shown(k.value) if isinstance(k, ScalarNode) else "?"
                sub = f"{path}.{name}" if path else name
                if isinstance(k, ScalarNode) and k.value != "<<":
                    if k.value in seen:
                        raise ConfigError(f"{where}:{k.start_mark.line + 1}: {sub}: duplicate key (first given on "
                                          f"line {seen[k.value]}; YAML would keep only the last)")
                    seen[k.value] = k.start_mark.line + 1
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


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
