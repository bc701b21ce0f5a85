"""The period report as a PDF: the document a merchant files (电子凭证).

reportlab lays it out: a title, then one table per section (banks, channels, findings).
Chinese text: a CJK TrueType font found on the machine is embedded (subset), so the file
renders the same everywhere; `BEANCLEAR_PDF_FONT=/path/font.ttf|.ttc` names one, else the
first of FONT_FILES (Debian: `apt-get install fonts-wqy-microhei`, see README). Without
any, reportlab's CID font `STSong-Light` (Adobe-GB1) is used: nothing embedded, the PDF
viewer supplies the glyphs (Acrobat, poppler with a CJK font). Either way the text is
extractable, which is how the tests read it back. Its CreationDate and ModDate are the
period's last day (render.dated) and its ID a digest of its title, the merchant's and
the period (reportlab's invariant mode), not of the clock: the same books give the
same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from beanclear.reports.output import PDF_AUTHOR
from beanclear.reports.period import ZERO, PeriodReport
from beanclear.reports.render import (CHANNEL_FIGURES, TIE_OUT, channel_cells, channel_label, counted, dated,
                                      gap_days, shown)

CID_FONT = "STSong-Light"
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/arphic/uming.ttc")


def font() -> str:
    """The registered name of the CJK font to write with (see the module's docstring)."""
    named = os.environ.get("BEANCLEAR_PDF_FONT")
    for candidate in ([named] if named else []) + list(FONT_FILES):
        if candidate and Path(candidate).is_file():
            name = "beanclear-cjk-" + Path(candidate).stem
            if name not in pdfmetrics.getRegisteredFontNames():
                try:
                    pdfmetrics.registerFont(TTFont(name, candidate, subfontIndex=0))
                except Exception:  # a font reportlab cannot embed (CFF outlines): try the next
                    continue
            return name
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    FONT = font()
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=20, spaceAfter=4)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9)
    return title, heading, cell


def write(report: PeriodReport, path: Path) -> None:
    title, heading, cell = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"{report.title} {report.period}", author=PDF_AUTHOR, invariant=1)
    story = [Paragraph(escape(report.title or "beanclear"), title),
             Paragraph(escape(f"对账报告 Reconciliation report {report.period} ({report.start} – {report.end})"),
                       heading)]
    story += [Paragraph("银行 Banks: statement vs books", heading), _table(
        ("bank", "currency", "statement date", "statement balance", "open items", "unexplained", "books balance",
         "in transit", "in transit, not on its way", "unexplained: statement-gap", "no statement covers"),
        [(b.name, b.currency, str(b.statement_date or "-"), shown(b.statement_balance, b.currency),
          shown(sum((i.amount for i in b.open_items), ZERO), b.currency), shown(b.unexplained, b.currency),
          shown(b.books_balance, b.currency), shown(b.on_its_way, b.currency), shown(b.not_on_its_way, b.currency),
          gap_days(b.gaps), gap_days(b.uncovered)) for b in report.banks], cell, numeric_from=3, numeric_to=9)]
    items = [(b.name, i.kind, str(i.date or ""), i.description, shown(i.amount, i.currency), i.currency,
              " ".join(i.refs)) for b in report.banks
             for i in (*b.open_items, *b.in_transit, *b.unexplained_lines, *b.fx_spread)]
    if items:
        story += [Paragraph("未达账项 Open items, money in transit, unexplained lines, the banks' FX spread", heading),
                  _table(("bank", "kind", "date", "description", "amount", "currency", "refs"), items, cell,
                         numeric_from=4, numeric_to=5)]
    story += [Paragraph("渠道 Channels", heading), _table(
        ("channel", "currency", *map(channel_label, CHANNEL_FIGURES)),
        [(c.name, c.currency, *channel_cells(c)) for c in report.channels], cell, numeric_from=2, padding=3),
        Paragraph(escape(TIE_OUT), cell)]
    story += [Paragraph(escape("问题 Findings: " + counted(report)), heading)]
    if report.findings:
        story.append(_table(
            ("status", "code", "date", "source", "amount", "message", "resolution"),
            [(f.status, f.code, str(f.date or ""), f.source,
              f"{shown(f.amount, f.currency)} {f.currency}" if f.amount is not None else "", f.message,
              f.resolution) for f in report.findings], cell, numeric_from=4, numeric_to=5,
            widths=(22, 34, 20, 18, 26, 110, 43)))
    stamp = dated(report).strftime("D:%Y%m%d%H%M%S+00'00'")
    # invariant mode dates the file 2000-01-01; the info's dates say the period's end
    doc.build(story, onFirstPage=lambda canvas, _: canvas.setDateFormatter(lambda *_: stamp))


def _table(head, rows, cell, numeric_from: int, numeric_to: int | None = None, widths=None,
           padding: float | None = None) -> Table:
    """Every cell a Paragraph (so long text wraps and CJK renders); numbers right-aligned.
    `padding`: each cell's left and right, in points, where not reportlab's 6 (the
    channels' 18 columns share the page: 100,000.00 fits in a column so)."""
    numeric_to = len(head) if numeric_to is None else numeric_to
    data = [[Paragraph(escape(h), cell) for h in head]]
    for row in rows:
        data.append([Paragraph(escape(str(v)), ParagraphStyle("n", parent=cell, alignment=2)
                               if numeric_from <= k < numeric_to else cell) for k, v in enumerate(row)])
    table = Table(data, colWidths=[w * mm for w in widths] if widths else None, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *([("LEFTPADDING", (0, 0), (-1, -1), padding), ("RIGHTPADDING", (0, 0), (-1, -1), padding)]
          if padding is not None else []),
    ]))
    return table
