"""XML statements parsed safely (defusedxml: no entity expansion, no external
entities) into small nodes that remember their line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from beanclear.importers.toolkit.text import StatementError, read_bytes, strip_controls

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


class _XmlBuilder:
    """Target of the expat parser: builds XmlNodes and notes each one's line."""

    def __init__(self):
        self.parser = None
        self.stack: list[XmlNode] = []
        self.root: XmlNode | None = None

    def start(self, tag, attrib):
        node = XmlNode(tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: strip_controls(v) for k, v in attrib.items()},
                       self.parser.parser.CurrentLineNumber, [])
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag):
        self.stack.pop()

    def data(self, text):
        if self.stack:  # DEL and C1 are valid XML 1.0 characters, but never statement text
            self.stack[-1].text += strip_controls(text)

    def close(self):
        return self.root


def read_xml(path: str | Path) -> XmlNode:
    """Parse an XML statement safely: a DOCTYPE, entity declarations and external
    references are refused (no billion-laughs expansion, no reading of local files or
    URLs), as defusedxml does it. Bad XML is a StatementError at its line."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    data = read_bytes(path)
    builder = _XmlBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
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
    if root is None:
        raise StatementError(path, 1, "the file is empty (expected an XML statement)")
    return root
