"""Matching: link every bank line nothing else explains to the entry it belongs to.

core.py finds the open bank lines and items and proposes matches in stages (see its
docstring); why.py says, for each open line no stage proposed anything for, why not;
since.py reads books carried forward to a month for `match --since`.
`from beanclear import matching; matching.match(entries, config)` is the entry point.
"""

from beanclear.matching.core import (  # noqa: F401  (the package's interface)
    BankLine, ByHand, ChannelNames, Index, OpenItem, Proposal, collect, edits_for, gather, match, text_report,
)
from beanclear.matching.why import Unproposed, unproposed  # noqa: F401
