"""The body of an OFX or QFX file as elements: one tokenizer and one set of SGML rules
for the file read whole (parse_tree) and for a large one read as a stream of text
pieces (read_elements, ofx.py). SGML leaves have text and no end tag; an element whose
end tag never comes (an empty SGML leaf, `<NAME>` then `<MEMO>`) is closed where its
parent closes, and what was read into it moves back up to the parent.

The tokenizer takes the text in pieces cut anywhere (a tag, an entity, a CDATA section or
a line end split between two): a token at the end of the text read so far is held back
until what follows decides it, so each token and the line it starts on are those of the
text read whole. Lines are counted at \\n, as the whole read always counted them."""

from __future__ import annotations

import html
import re
from collections import deque
from typing import Iterable, Iterator

from beanclear.importers.toolkit import StatementError, XmlNode

# Elements open at once (a real OFX file nests about 10, a few empty SGML leaves more):
# deeper, a hostile file (100,000 nested tags) would run the tree's walks out of stack.
MAX_DEPTH = 200

TOKEN = re.compile(r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<\?.*?\?>|<(?P<decl>![A-Za-z][^>]*)>"
                   r"|<(?P<close>/)?(?P<tag>[A-Za-z][A-Za-z0-9._]*)\s*(?P<empty>/)?>|(?P<text>[^<]+)|(?P<bad><)", re.S)
START = re.compile(r"<OFX>", re.I)
# The tokens that end in more than '>': one cut before its end waits for it.
ENDS = (("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>"))
NO_OFX = "no <OFX> element (expected an OFX or QFX statement)"


def _awaits(buf: str, at: int) -> str | None:
    """What a token starting at `at`, cut by the end of `buf`, waits for: text for a '<',
    a CDATA section, comment or processing instruction for its end, any other '<' for a
    '>'; None where the text cut is too short to tell."""
    if at == len(buf):
        return None
    if buf[at] != "<":
        return "<"
    head = buf[at:at + 9]
    for opener, closer in ENDS:
        if head.startswith(opener):
            return closer
        if opener.startswith(head):
            return None
    return ">"


def _decided(m: re.Match, buf: str) -> bool:
    """Whether a token matched in the text read so far is the token of the whole text:
    text not at its end (a '<' ends it), or a '<' that starts no tag whatever follows.
    Every other token ends in its own closing characters."""
    if m.lastgroup == "text":
        return m.end() < len(buf)
    return m.lastgroup != "bad" or (_awaits(buf, m.start()) == ">" and buf.find(">", m.start()) >= 0)


def tokens(pieces: Iterable[str], path: str) -> Iterator[tuple[re.Match | None, int]]:
    """TOKEN's matches from the first <OFX> on, each with the line it starts on, over the
    text given in `pieces`; then (None, the last line)."""
    pieces = iter(pieces)
    line, buf = 1, ""
    for piece in pieces:   # the header before <OFX>: only its lines counted
        buf += piece
        start = START.search(buf)
        if start:
            line += buf.count("\n", 0, start.start())
            buf = buf[start.start():]
            break
        keep = max(len(buf) - 4, 0)   # a '<OFX' the next piece may end
        line += buf.count("\n", 0, keep)
        buf = buf[keep:]
    else:
        raise StatementError(path, 1, NO_OFX)
    more = True
    while True:
        done = 0
        for m in TOKEN.finditer(buf):
            if more and (m.end() == len(buf) or m.lastgroup == "bad") and not _decided(m, buf):
                break
            yield m, line
            line += buf.count("\n", done, m.end())
            done = m.end()
        if not more:
            yield None, line
            return
        # Read on until what the token cut at the end waits for has come (each piece looked
        # at once: a long text or comment is not searched again for every piece).
        need, parts = _awaits(buf, done), [buf[done:]]
        tail = parts[0][-3:]
        for piece in pieces:
            parts.append(piece)
            if need is None or need in tail + piece:
                break
            tail = (tail + piece)[-3:]
        else:
            more = False
        buf = "".join(parts)


def read_elements(pieces: Iterable[str], path: str, root: XmlNode) -> Iterator[tuple[XmlNode, list[XmlNode], bool]]:
    """Each element of the OFX body as it ends, with the elements still open around it
    (`root` first; the list changes as reading goes on) and whether it was left open and
    what it held moved up to its parent. The elements are built into `root`."""
    stack = [root]
    for m, line in tokens(pieces, path):
        if m is None:
            if len(stack) > 1:
                raise StatementError(path, line, f"<{stack[-1].tag}> (line {stack[-1].line}) is never "
                                     "closed (is the file cut off?)")
            return
        kind = m.lastgroup
        if kind == "text" or kind == "cdata":
            value = m.group("cdata") if kind == "cdata" else html.unescape(m.group("text"))
            if value.strip():
                if stack[-1] is root or stack[-1].children:
                    raise StatementError(path, line, f"text {value.strip()[:30]!r} outside a leaf element")
                stack[-1].text += value
        elif kind == "tag":
            tag = m.group("tag").upper()
            if not m.group("close"):
                if stack[-1].text.strip():   # an SGML leaf is closed by the next tag
                    yield stack.pop(), stack, False
                node = XmlNode(tag, {}, line, [])
                stack[-1].children.append(node)
                if m.group("empty"):   # XML's <BALAMT/> (ofxstatement, empty LEDGERBALs): opened and closed
                    yield node, stack, False
                    continue
                stack.append(node)
                if len(stack) > MAX_DEPTH:
                    raise StatementError(path, line, f"elements nested more than {MAX_DEPTH} deep (an OFX "
                                         "statement nests about 10)")
                continue
            if tag not in [n.tag for n in stack]:
                if _leaf_closed(stack[-1], tag):
                    continue
                raise StatementError(path, line, f"</{tag}> closes an element that was never opened")
            while stack[-1].tag != tag:  # elements left open were empty SGML leaves
                empty = stack.pop()
                held, empty.children = empty.children, []
                stack[-1].children.extend(held)
                yield empty, stack, bool(held)
            yield stack.pop(), stack, False
        elif kind == "decl":
            raise StatementError(path, line, f"<{m.group('decl')[:20]}…> declarations are not allowed in a "
                                 "statement (no DOCTYPE or ENTITY: refused rather than expanded)")
        elif kind == "bad":
            raise StatementError(path, line, "a '<' that starts no tag (expected <TAG> or </TAG>)")
        # else: a comment or processing instruction


def _leaf_closed(parent: XmlNode, tag: str) -> bool:
    """Whether `</tag>` ends a leaf of `parent` that the next tag already closed: SGML
    re-indented by an HTML prettifier nests each leaf in the one before and closes them
    all in reverse (`<CODE>0 <SEVERITY>INFO </SEVERITY> </CODE>`, Amex downloads as
    beancount-import keeps them). An end tag of anything else is still an error."""
    return any(c.tag == tag and c.text.strip() and not c.children for c in parent.children)


def parse_tree(text: str, path: str) -> XmlNode:
    """The OFX element of a file's text, read whole."""
    root = XmlNode("", {}, 0, [])
    deque(read_elements([text], path, root), maxlen=0)
    return root.children[0]


def walk(node: XmlNode, tags: set[str]) -> list[XmlNode]:
    """The elements named `tags` in `node`, in file order, none inside another."""
    if node.tag in tags:
        return [node]
    return [found for child in node.children for found in walk(child, tags)]
