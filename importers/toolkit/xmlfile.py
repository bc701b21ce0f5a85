"""XML statements parsed safely (defusedxml: no entity expansion, no external
entities) into small nodes that remember their line."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from beanclear.importers.toolkit.text import StatementError, byte_chunks, read_bytes, strip_controls

# -- XML -----------------------------------------------------------------------------

@dataclass
class XmlNode:
    """An XML element by its local name (namespaces dropped: CAMT versions differ only
    there), with the line it starts on for error messages."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list["XmlNode"]
    text: str = ""

    def find(self, path: str) -> "XmlNode | None":
        """The first node down a `/`-separated path of local names (`Bal/Tp/CdOrPrtry/Cd`)."""
        found = self.findall(path)
        return found[0] if found else None

    def findall(self, path: str) -> list["XmlNode"]:
        nodes = [self]
        for name in path.split("/"):
            nodes = [c for n in nodes for c in n.children if c.tag == name]
        return nodes

    def value(self, path: str) -> str:
        """The stripped text at `path`, '' when the path is absent."""
        node = self.find(path)
        return node.text.strip() if node is not None else ""


_OFF = XmlNode("#off", {}, 0, [])   # an element no reader of parts asks for, not built


class _XmlBuilder:
    """Target of the expat parser: builds XmlNodes and notes each one's line. Nodes at
    `parts` (paths of local names below the root) are put in `ready` as they end, with
    their ancestors, and taken off their parent: XmlParts hands them on. A child of the
    root on no part's path is not built, nor anything in it (_OFF stands in for each)."""

    def __init__(self, parts: frozenset[tuple[str, ...]] = frozenset()):
        self.parser = None
        self.stack: list[XmlNode] = []
        self.root: XmlNode | None = None
        self.parts, self.ready = parts, []
        self.last = {part[-1] for part in parts}   # the names to look at as they end
        self.first = {part[0] for part in parts}   # the root's children that may hold a part

    def start(self, tag, attrib):
        stack = self.stack
        if stack and (stack[-1] is _OFF or len(stack) == 1 and self.parts
                      and tag.rsplit("}", 1)[-1] not in self.first):
            stack.append(_OFF)
            return
        node = XmlNode(tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: strip_controls(v) for k, v in attrib.items()},
                       self.parser.parser.CurrentLineNumber, [])
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag):
        stack = self.stack
        if stack[-1] is not _OFF and stack[-1].tag in self.last and len(stack) > 1 \
                and tuple(n.tag for n in stack[1:]) in self.parts:
            node = stack[-1]
            stack[-2].children.pop()   # it ended last: its parent's last child
            self.ready.append((node, stack[:-1]))
        stack.pop()

    def data(self, text):
        if self.stack and self.stack[-1] is not _OFF:  # DEL and C1 are valid XML 1.0 characters, but never
            self.stack[-1].text += strip_controls(text)  # statement text

    def close(self):
        return self.root


def read_xml(path: str | Path) -> XmlNode:
    """Parse an XML statement safely: a DOCTYPE, entity declarations and external
    references are refused (no billion-laughs expansion, no reading of local files or
    URLs), as defusedxml does it. Bad XML is a StatementError at its line."""
    builder, parser = _parser(frozenset())
    with _errors(path, parser):
        parser.feed(read_bytes(path))
        root = parser.close()
    if root is None:
        raise StatementError(path, 1, "the file is empty (expected an XML statement)")
    return root


class XmlParts:
    """The nodes at `parts` (paths of local names below the root, like ("BkToCstmrStmt",
    "Stmt", "Ntry")) with their ancestors (root first), each as soon as it ends, parsed
    as read_xml() parses, from the file read a chunk at a time: a yielded node is no
    longer a child of its parent, so a statement of any length is never held whole. A
    node holds what came before it; an ancestor only its children so far; a child of
    the root on no part's path is not built at all. `root`: the root element, once a
    pass is through (its tag and line, for what a file without the parts is). `progress()`:
    (bytes of the file read, its size), for StatementImporter.each."""

    root: XmlNode | None = None

    def __init__(self, path: str | Path, parts: Iterable[tuple[str, ...]]):
        self.path, self.parts, self._read = path, frozenset(parts), [0]
        try:
            self._size = Path(path).stat().st_size
        except OSError:
            self._size = 0   # byte_chunks says what is wrong

    def progress(self) -> tuple[int, int]:
        return min(self._read[0], self._size), self._size

    def __iter__(self) -> Iterator[tuple[XmlNode, list[XmlNode]]]:
        builder, parser = _parser(self.parts)
        self._read[0] = 0
        with _errors(self.path, parser):
            for chunk in byte_chunks(self.path, read=self._read):
                parser.feed(chunk)
                yield from builder.ready
                builder.ready.clear()
            root = parser.close()
            yield from builder.ready
        if root is None:
            raise StatementError(self.path, 1, "the file is empty (expected an XML statement)")
        self.root = root


def _parser(parts: frozenset):
    from defusedxml.ElementTree import DefusedXMLParser
    builder = _XmlBuilder(parts)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    return builder, parser


@contextmanager
def _errors(path, parser):
    """What the XML parser raises, as a StatementError at the line it stopped on."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError
    try:
        yield
    except DefusedXmlException as exc:
        raise StatementError(path, parser.parser.CurrentLineNumber,
                             f"the XML declares a document type or entities ({type(exc).__name__}); statements "
                             "never do, and expanding them is how billion-laughs and external-entity attacks work: "
                             "refused") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        raise StatementError(path, line, f"not well-formed XML ({str(exc).split(':')[0][:200]})") from None
    except (RecursionError, MemoryError) as exc:
        raise StatementError(path, parser.parser.CurrentLineNumber,
                             f"XML nested too deep or too large to read ({type(exc).__name__})") from None
