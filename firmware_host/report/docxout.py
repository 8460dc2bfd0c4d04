"""DOCX (python-docx): the printable report, laid out as a Vietnamese administrative
document so the commune can sign, stamp and send it as it is.

The layout follows the usual rules for administrative documents (Nghị định
30/2020/NĐ-CP): A4, margins top/bottom 2 cm, left 3 cm, right 1.5 cm; Times New Roman;
the issuing body and the national motto side by side in a borderless table, each with a
short rule under it; place and date in italics; the title in bold; signature blocks.
Times New Roman is set on every run for the Latin *and* East Asian slots: Word picks
the font of Vietnamese letters from either depending on the PC, and a missing East
Asian font is how "Times New Roman" documents end up half in another font.
python-docx is imported inside the functions, never when the CLI starts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from firmware_host.report import wording as w
from firmware_host.report.counts import MonthReport

if TYPE_CHECKING:
    from firmware_host.report.merge import Figures, MergedReport

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 12
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]  # 16.5 cm

# Elements that follow the one inserted, in the WordprocessingML schema order: Word
# refuses ("unreadable content") a document whose properties are out of order.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
_AFTER_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


CORE_PROPERTY_MAX = 255


class _Writer:
    """A document under construction with the few paragraph kinds a report uses."""

    def __init__(self, title: str) -> None:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.qn, self.Cm, self.Pt = qn, Cm, Pt
        self.align = WD_ALIGN_PARAGRAPH
        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
        section.top_margin = Cm(MARGINS_CM["top"])
        section.bottom_margin = Cm(MARGINS_CM["bottom"])
        section.left_margin = Cm(MARGINS_CM["left"])
        section.right_margin = Cm(MARGINS_CM["right"])
        section.header_distance = section.footer_distance = Cm(1.0)
        self._fonts_everywhere()
        self._page_numbers(section)
        props = self.doc.core_properties
        # Word's document properties hold at most 255 characters; a merge of
        # twelve months has a longer title (the page itself shows it whole).
        props.title, props.author, props.language = title[:CORE_PROPERTY_MAX], "Loa Xã", "vi-VN"

    # -- fonts and page --------------------------------------------------------------
    def _set_font(self, rpr: Any) -> None:
        rfonts = rpr.get_or_add_rFonts()  # in its schema place, which Word insists on
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(self.qn(theme), None)
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(self.qn(slot), FONT)

    def _fonts_everywhere(self) -> None:
        """Document defaults and every style: nothing falls back to Calibri or a theme."""
        styles = self.doc.styles
        defaults = styles.element.find(self.qn("w:docDefaults"))
        rpr = defaults.find(self.qn("w:rPrDefault")).find(self.qn("w:rPr"))
        self._set_font(rpr)
        lang = rpr.find(self.qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(self.qn("w:lang"), {})
            rpr.append(lang)
        lang.set(self.qn("w:val"), "vi-VN")
        for style in styles:
            element = getattr(style, "element", None)
            if element is not None and hasattr(style, "font"):
                style.font.name = FONT
                self._set_font(element.get_or_add_rPr())
        normal = styles["Normal"]
        normal.font.size = self.Pt(BODY_PT)
        normal.paragraph_format.space_after = self.Pt(0)
        normal.paragraph_format.line_spacing = 1.15

    def _page_numbers(self, section: Any) -> None:
        """Page number at the top centre from page 2 on, as official documents do."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = self.align.CENTER
        field = parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>2</w:t></w:r></w:fldSimple>'
        )
        paragraph._p.append(field)
        for run in field.iter(self.qn("w:r")):
            self._set_font(run.get_or_add_rPr())

    # -- paragraphs -------------------------------------------------------------------
    def run(
        self,
        paragraph: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
    ) -> Any:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        run.font.name = FONT
        run.font.size = self.Pt(size or BODY_PT)
        self._set_font(run._r.get_or_add_rPr())
        return run

    def para(
        self,
        text: str = "",
        *,
        container: Any = None,
        align: str = "justify",
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        before: float = 0,
        after: float = 6,
        indent_cm: float | None = None,
        keep_with_next: bool = False,
    ) -> Any:
        target = container if container is not None else self.doc
        paragraph = target.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.alignment = {
            "justify": self.align.JUSTIFY,
            "center": self.align.CENTER,
            "left": self.align.LEFT,
            "right": self.align.RIGHT,
        }[align]
        fmt.space_before, fmt.space_after = self.Pt(before), self.Pt(after)
        if indent_cm is not None:
            fmt.first_line_indent = self.Cm(indent_cm)
        fmt.keep_with_next = keep_with_next or None
        if text:
            self.run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    def rule(self, container: Any, width_cm: float, cell_cm: float, *, after: float = 2) -> None:
        """A short centred line: an empty paragraph with a top border, indented."""
        from docx.enum.text import WD_LINE_SPACING
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        paragraph = container.add_paragraph()
        fmt = paragraph.paragraph_format
        side = max(0.0, (cell_cm - width_cm) / 2)
        fmt.left_indent, fmt.right_indent = self.Cm(side), self.Cm(side)
        fmt.space_before, fmt.space_after = self.Pt(1), self.Pt(after)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = self.Pt(2)
        ppr = paragraph._p.get_or_add_pPr()
        border = parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" '
            f'w:color="000000"/></w:pBdr>'
        )
        ppr.insert_element_before(border, *_AFTER_PBDR)

    def heading(self, text: str) -> None:
        self.para(text, align="left", bold=True, before=6, after=4, keep_with_next=True)

    # -- tables -----------------------------------------------------------------------
    def _widths(self, table: Any, widths_cm: Sequence[float]) -> None:
        table.autofit = False
        grid = table._tbl.tblGrid
        for col, width in zip(grid.findall(self.qn("w:gridCol")), widths_cm, strict=False):
            col.set(self.qn("w:w"), str(int(self.Cm(width).twips)))
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=False):
                cell.width = self.Cm(width)

    def _no_borders(self, table: Any) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        edges = "".join(
            f'<w:{edge} w:val="nil"/>'
            for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        borders = parse_xml(f"<w:tblBorders {nsdecls('w')}>{edges}</w:tblBorders>")
        table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)

    def _tight(self, table: Any) -> None:
        """Almost no cell padding: the national name needs the right column's full width."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        margins = parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:left w:w="28" w:type="dxa"/>'
            f'<w:right w:w="28" w:type="dxa"/></w:tblCellMar>'
        )
        table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption")

    def cell_text(
        self,
        cell: Any,
        text: str,
        *,
        align: str = "left",
        bold: bool = False,
        italic: bool = False,
        size: float = TABLE_PT,
    ) -> None:
        from docx.enum.table import WD_ALIGN_VERTICAL

        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        paragraph = cell.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.alignment = {
            "left": self.align.LEFT,
            "center": self.align.CENTER,
            "right": self.align.RIGHT,
        }[align]
        fmt.space_before, fmt.space_after = self.Pt(2), self.Pt(2)
        fmt.line_spacing = 1.0
        self.run(paragraph, text, bold=bold, italic=italic, size=size)

    def grid(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths_cm: Sequence[float],
        *,
        aligns: Sequence[str] | None = None,
        bold_last: bool = False,
    ) -> Any:
        """A ruled table with a bold header row repeated on every page."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        aligns = aligns or ["left"] * len(headers)
        header = table.rows[0]
        header_pr = header._tr.get_or_add_trPr()
        header_pr.insert_element_before(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"), *_AFTER_HEADER)
        for cell, text in zip(header.cells, headers, strict=True):
            self.cell_text(cell, text, align="center", bold=True)
        for index, values in enumerate(rows, start=1):
            last = bold_last and index == len(rows)
            for cell, value, align in zip(table.rows[index].cells, values, aligns, strict=True):
                self.cell_text(cell, _shown(value), align=align, bold=last)
        scale = TEXT_WIDTH_CM / sum(widths_cm)  # widths are proportions of the text width
        self._widths(table, [width * scale for width in widths_cm])
        self._keep_together(table)
        self.para(after=4)
        return table

    def _keep_together(self, table: Any, max_rows: int = 16) -> None:
        """A short table moves to the next page whole instead of leaving a row behind
        (the Word way: every row but the last keeps with the next); no row is ever split."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        rows = table.rows
        for index, row in enumerate(rows):
            row._tr.get_or_add_trPr().insert(0, parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            if len(rows) <= max_rows and index < len(rows) - 1:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True

    def letterhead(
        self,
        body_lines: Sequence[str],
        place_date: str,
        number: str,
        *,
        left_cm: float = 6.5,
        body_pt: float = 13,
        bold_lines: int = 1,
    ) -> None:
        """Issuing body (left) and national motto (right), each with its short rule;
        the document number under the body, place and date under the motto. The body's
        own name (its last *bold_lines* lines) is bold, the body above it is not."""
        right_cm = TEXT_WIDTH_CM - left_cm
        table = self.doc.add_table(rows=1, cols=2)
        self._no_borders(table)
        self._tight(table)
        left, right = table.rows[0].cells
        left.paragraphs[0].paragraph_format.space_after = self.Pt(0)
        for index, line in enumerate(body_lines):
            paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
            paragraph.alignment = self.align.CENTER
            own = index >= len(body_lines) - bold_lines
            self.run(paragraph, line, bold=own, size=body_pt)
        self.rule(left, 2.2, left_cm)
        self.para(number, container=left, align="center", after=0)
        first = right.paragraphs[0]
        first.alignment = self.align.CENTER
        self.run(first, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
        self.para(
            "Độc lập - Tự do - Hạnh phúc", container=right, align="center", bold=True, after=0
        )
        self.rule(right, 6.0, right_cm)
        self.para(place_date, container=right, align="center", italic=True, before=4, after=0)
        self._widths(table, (left_cm, right_cm))

    def title(self, kind: str, subject: str) -> None:
        self.para(kind, align="center", bold=True, size=14, before=18, after=0)
        self.para(subject, align="center", bold=True, size=14, after=0)
        self.rule(self.doc, 4.0, TEXT_WIDTH_CM, after=12)

    def addressee(self, recipient: str) -> None:
        """ "Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk." under the title."""
        self.para(f"Kính gửi: {recipient}.", align="center", after=10)

    def signatures(self, left: Sequence[str], right: Sequence[str]) -> None:
        table = self.doc.add_table(rows=1, cols=2)
        self._no_borders(table)
        for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
            for index, line in enumerate(lines):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.alignment = self.align.CENTER
                italic = line.startswith("(")
                self.run(paragraph, line, bold=not italic and bool(line), italic=italic)
            for _ in range(4):  # room for signature and stamp
                cell.add_paragraph()
        self._widths(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))

    def recipients(self, lines: Sequence[str]) -> None:
        paragraph = self.para(align="left", before=12, after=0)
        self.run(paragraph, "Nơi nhận:", bold=True, italic=True, size=12)
        for line in lines:
            self.para(line, align="left", size=11, after=0)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return w.number(value, 0)
    if isinstance(value, float):
        return w.number(value, 1)
    return str(value)


def _month_span(month: str) -> str:
    """ "từ ngày 01/9/2024 đến ngày 30/9/2024", the way the reporting period is written."""
    year, number = (int(part) for part in month.split("-"))
    return f"từ ngày 01/{number}/{year} đến ngày {_days_in(month)}/{number}/{year}"


def _days_in(month: str) -> int:
    year, number = (int(part) for part in month.split("-"))
    following = date(year + number // 12, number % 12 + 1, 1)
    return (following - date(year, number, 1)).days


def _in_text(name: str) -> str:
    """ "Xã Ea Tu" -> "xã Ea Tu": a place name with its prefix in lower case, mid-sentence."""
    name = name.strip()
    return f"{name[:1].lower()}{name[1:]}" if name else "xã"


def _committee(commune: str) -> str:
    """ "Ủy ban nhân dân xã Ea Tu"."""
    return f"Ủy ban nhân dân {_in_text(commune)}"


def month_document(report: MonthReport) -> bytes:
    commune = report.commune.get("name", "")
    station = report.commune.get("station", "")
    recipient = w.month_recipient(report)
    title = w.report_title(report.campaign, report.month, station)
    totals = report.totals
    moment = datetime.fromisoformat(report.generated_at)
    doc = _Writer(f"Báo cáo {title} — {commune}")
    doc.letterhead(
        [w.issuing_body(commune)],
        w.place_and_date(w.place_name(commune), moment),
        "Số:        /BC-UBND",
    )
    doc.title("BÁO CÁO", title)
    doc.addressee(recipient)

    system = f"của xã ({w.station_label(station)})" if station else "của xã"
    doc.para(
        f"Căn cứ nhật ký phát của hộp điều khiển đài truyền thanh (Loa Xã), "
        f"{_committee(commune)} báo cáo kết quả tuyên truyền {w.month_subject(report.campaign)} "
        f"trên hệ thống loa truyền thanh {system} trong {w.month_words(report.month)} "
        f"({_month_span(report.month)}) như sau:",
        indent_cm=1.0,
    )
    doc.heading("I. KẾT QUẢ TUYÊN TRUYỀN")
    doc.para(
        f"Trong tháng đã phát trọn vẹn {totals['sessions_completed']} buổi với "
        f"{totals['plays_completed']} lượt phát, tổng thời lượng "
        f"{w.number(totals['minutes_on_air'])} phút, trong {totals['days_with_broadcast']}/"
        f"{_days_in(report.month)} ngày.",
        indent_cm=1.0,
    )
    if report.by_form:
        doc.para(
            f"Ngoài ra đã tiếp sóng {totals['relay_completed']} lượt "
            f"({w.number(totals['relay_minutes'])} phút) và phát trực tiếp "
            f"{totals['live_completed']} lượt ({w.number(totals['live_minutes'])} phút).",
            indent_cm=1.0,
        )
    doc.heading("1. Hình thức, số lượt, phương tiện tuyên truyền")
    rows: list[list[Any]] = [
        [
            index,
            w.form_text(c["campaign"]),
            c["plays"],
            w.medium_text(c["zones"]),
            w.minutes(c["seconds"]),
        ]
        for index, c in enumerate(report.by_campaign, start=1)
    ]
    rows += [
        [
            len(rows) + index,
            w.programme_form(f),
            f["plays"],
            w.medium_text(f["zones"]),
            w.minutes(f["seconds"]),
        ]
        for index, f in enumerate(report.by_form, start=1)
    ]
    plays = totals["plays_completed"] + totals["relay_completed"] + totals["live_completed"]
    minutes = w.minutes(totals["seconds_on_air"] + totals["relay_seconds"] + totals["live_seconds"])
    rows.append(["", "Tổng cộng", plays, "", minutes])
    doc.grid(
        ["STT", "Hình thức tuyên truyền", "Số lượt", "Phương tiện", "Thời lượng (phút)"],
        rows,
        (1.3, 5.2, 1.8, 5.2, 2.5),
        aligns=("center", "left", "right", "left", "right"),
        bold_last=True,
    )

    doc.heading("2. Theo chiến dịch")
    doc.grid(
        ["STT", "Chiến dịch", "Số buổi", "Số lượt", "Số ngày có phát", "Thời lượng (phút)"],
        [
            [
                i,
                w.campaign_label(c["campaign"]),
                c["sessions"],
                c["plays"],
                c["days"],
                w.minutes(c["seconds"]),
            ]
            for i, c in enumerate(report.by_campaign, start=1)
        ],
        (1.3, 5.9, 1.9, 1.9, 2.4, 2.6),
        aligns=("center", "left", "right", "right", "right", "right"),
    )
    doc.heading("3. Theo bài phát")
    doc.grid(
        ["STT", "Tên bài", "Tiếng", "Số lượt", "Thời lượng (phút)"],
        [
            [
                i,
                (c.get("title") or c["clip_id"])
                + (f" ({w.SYNTHESISED})" if c.get("synthesised") else ""),
                w.language_label(c.get("language")),
                c["plays"],
                w.minutes(c["seconds"]),
            ]
            for i, c in enumerate(report.by_clip, start=1)
        ],
        (1.3, 7.5, 2.6, 2.0, 2.6),
        aligns=("center", "left", "left", "right", "right"),
    )
    doc.heading("4. Theo vùng loa")
    doc.grid(
        ["STT", "Vùng loa", "Số buổi", "Số lượt"],
        [
            [i, w.zone_label(z["zone"]), z["sessions"], z["plays"]]
            for i, z in enumerate(report.by_zone, start=1)
        ],
        (1.3, 8.7, 3.0, 3.0),
        aligns=("center", "left", "right", "right"),
    )
    doc.heading("5. Theo ngày")
    doc.grid(
        ["STT", "Ngày", "Thứ", "Số buổi", "Số lượt", "Thời lượng (phút)"],
        [
            [
                i,
                w.short_date(d["date"]),
                w.weekday(d["date"]),
                d["sessions"],
                d["plays"],
                w.minutes(d["seconds"]),
            ]
            for i, d in enumerate(report.by_day, start=1)
        ],
        (1.3, 3.2, 3.0, 2.5, 2.5, 3.5),
        aligns=("center", "center", "left", "right", "right", "right"),
    )

    doc.heading("6. Theo mức độ (Thông tư 39/2020/TT-BTTTT)")
    doc.grid(
        ["STT", "Mức độ", "Số buổi", "Số lượt", "Thời lượng (phút)"],
        [
            [i, w.TIER[x["tier"]], x["sessions"], x["plays"], w.minutes(x["seconds"])]
            for i, x in enumerate(report.by_tier, start=1)
        ],
        (1.3, 6.2, 2.5, 2.5, 3.5),
        aligns=("center", "left", "right", "right", "right"),
    )
    doc.heading("7. Theo tiếng")
    doc.grid(
        ["STT", "Tiếng", "Số lượt", "Số bài", "Thời lượng (phút)"],
        [
            [
                i,
                w.language_label(x["language"]) or x["language"],
                x["plays"],
                x["clips"],
                w.minutes(x["seconds"]),
            ]
            for i, x in enumerate(report.by_language, start=1)
        ],
        (1.3, 6.2, 2.5, 2.5, 3.5),
        aligns=("center", "left", "right", "right", "right"),
    )

    doc.heading("II. CÁC BUỔI PHÁT KHÔNG TRỌN VẸN (KHÔNG TÍNH VÀO KẾT QUẢ)")
    if report.problems:
        doc.para(
            f"Bị gián đoạn: {totals['sessions_interrupted']} buổi; bị lỗi: "
            f"{totals['sessions_failed']} buổi; bị bỏ lỡ: {totals['sessions_missed']} buổi; "
            f"bị cắt để phát khẩn cấp: {totals.get('sessions_preempted', 0)} buổi. "
            f"Thời lượng phát dở không được tính: {w.number(totals['seconds_partial'] / 60)} phút.",
            indent_cm=1.0,
        )
        doc.grid(
            ["STT", "Ngày, giờ", "Chiến dịch / khung giờ", "Kết quả", "Lượt đã phát trọn", "Lý do"],
            [
                [
                    i,
                    f"{w.short_date(p.day)} {p.time}",
                    " / ".join(x for x in (w.campaign_label(p.campaign, live=p.live), p.slot) if x),
                    w.STATUS.get(p.status, p.status),
                    p.plays_completed,
                    p.reason,
                ]
                for i, p in enumerate(report.problems, start=1)
            ],
            (1.3, 2.8, 3.4, 2.1, 1.9, 4.5),
            aligns=("center", "center", "left", "left", "right", "left"),
        )
    else:
        doc.para(
            "Trong tháng không có buổi phát nào bị gián đoạn, bị lỗi hoặc bị bỏ lỡ.",
            indent_cm=1.0,
        )

    doc.heading("III. CÁCH TÍNH SỐ LIỆU")
    for line in w.counting_rule(report.timezone, report.month):
        doc.para(f"- {line}", indent_cm=1.0, after=2)
    doc.para(
        f"Báo cáo lập tự động lúc {moment.strftime('%H:%M')} ngày "
        f"{moment.strftime('%d/%m/%Y')} (giờ {report.timezone}).",
        italic=True,
        size=11,
        before=4,
        indent_cm=1.0,
    )

    doc.para(after=6)
    doc.signatures(
        ["NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)"],
        [f"TM. {w.issuing_body(commune)}", "CHỦ TỊCH", "(Ký, đóng dấu, ghi rõ họ tên)"],
    )
    doc.recipients([f"- {recipient} (để báo cáo);", "- Lưu: VP."])
    return doc.save()


def merged_document(report: MergedReport) -> bytes:
    """A commune's table of its stations, issued by the commune and addressed to the
    province; or the province's table of its communes (with every station in detail),
    issued by the province's department that receives the communes' reports."""
    from firmware_host.report import merge

    moment = datetime.fromisoformat(report.generated_at)
    commune_level = report.level == merge.COMMUNE
    subject = (
        f"Kết quả tuyên truyền {w.month_subject(report.campaign)} trên hệ thống loa truyền "
        f"thanh {merge.scope_words(report)} {merge.months_words(report)}"
    )
    doc = _Writer(merge.merged_heading(report))
    if commune_level:
        doc.letterhead(
            [w.issuing_body(report.commune)],
            w.place_and_date(w.place_name(report.commune), moment),
            "Số:        /BC-UBND",
        )
    else:
        body = w.recipient_body(report.recipient, report.province)
        default = body == w.CULTURE_DEPARTMENT
        # the department's name on two lines, broken where letterheads break it
        name = ["SỞ VĂN HÓA, THỂ THAO", "VÀ DU LỊCH"] if default else [body.upper()]
        doc.letterhead(
            [w.province_body(report.province), *name],
            w.place_and_date(w.province_place(report.province) or "……", moment),
            "Số:        /BC-SVHTTDL" if default else "Số:        /BC",
            left_cm=7.0,
            body_pt=12,
            bold_lines=len(name),
        )
    doc.title("BÁO CÁO TỔNG HỢP", subject)
    t = report.totals
    if commune_level:
        doc.addressee(report.recipient)
        doc.para(
            f"Tổng hợp từ báo cáo tháng của {t['stations']} trạm truyền thanh của "
            f"{_in_text(report.commune)} (số liệu do hộp điều khiển Loa Xã của từng trạm lập tự "
            f"động từ nhật ký phát), kết quả như sau:",
            indent_cm=1.0,
        )
    else:
        doc.para(
            f"Tổng hợp từ báo cáo tháng của {t['communes']} xã, phường ({t['stations']} trạm "
            f"truyền thanh; số liệu do hộp điều khiển Loa Xã của từng trạm lập tự động từ nhật "
            f"ký phát), kết quả như sau:",
            indent_cm=1.0,
        )
    mixed = len(report.months) > 1
    not_completed = t["sessions_interrupted"] + t["sessions_failed"] + t["sessions_missed"]
    figures = ["Số buổi", "Số lượt", "Thời lượng (phút)", "Số ngày có phát", "Buổi không trọn vẹn"]

    def numbers(f: Figures) -> list[Any]:
        return [
            f.sessions_completed,
            f.plays_completed,
            f.minutes_on_air,
            f.days_with_broadcast,
            f.sessions_not_completed,
        ]

    def label(text: str, f: Figures) -> str:
        return f"{text} ({f.month})" if mixed else text

    totals = [t["sessions_completed"], t["plays_completed"], t["minutes_on_air"]]
    aligns = ("center", "left", *["right"] * 5)
    if commune_level:
        rows: list[list[Any]] = [
            [i, label(f.station, f), *numbers(f)] for i, f in enumerate(report.rows, start=1)
        ]
        rows.append(["", merge.TOTALS_LABEL, *totals, t["days_with_broadcast"], not_completed])
        doc.grid(
            ["STT", w.STATION, *figures],
            rows,
            (1.3, 4.6, 1.9, 1.9, 2.3, 2.1, 2.1),
            aligns=aligns,
            bold_last=True,
        )
    else:
        rows = [
            [i, label(f.name, f), f.stations, *numbers(f)]
            for i, f in enumerate(report.rows, start=1)
        ]
        rows.append(["", merge.TOTALS_LABEL, t["stations"], *totals, "", not_completed])
        doc.grid(
            ["STT", "Xã/phường", "Số trạm", *figures],
            rows,
            (1.3, 3.9, 1.5, 1.7, 1.7, 2.2, 2.0, 2.1),
            aligns=("center", "left", *["right"] * 6),
            bold_last=True,
        )
        doc.heading("Chi tiết theo trạm truyền thanh")
        doc.grid(
            ["STT", "Xã/phường", w.STATION, *figures],
            [
                [i, label(f.name, f), f.station, *numbers(f)]
                for i, f in enumerate(report.stations, start=1)
            ],
            (1.3, 3.3, 3.0, 1.6, 1.6, 2.1, 1.9, 2.0),
            aligns=("center", "left", "left", *["right"] * 5),
        )
    if report.by_form:
        doc.para(
            f"Ngoài ra đã tiếp sóng {t['relay_completed']} lượt "
            f"({w.number(t['relay_minutes'])} phút) và phát trực tiếp "
            f"{t['live_completed']} lượt ({w.number(t['live_minutes'])} phút).",
            indent_cm=1.0,
        )
    for title, key, category in merge.BREAKDOWN_SECTIONS:
        headers = merge.line_headers(key, spreadsheet=False)
        lines: list[list[Any]] = []
        for f in report.rows:
            who = label(f.station if commune_level else f.name, f)
            for line in merge.shown_lines(f, key):
                cells = merge.line_cells(key, line, spreadsheet=False)
                lines.append([len(lines) + 1, who, *cells])
        lines += [
            ["", merge.TOTALS_LABEL, *merge.line_cells(key, line, spreadsheet=False)]
            for line in getattr(report, key)
        ]
        doc.heading(title)
        doc.grid(
            ["STT", w.STATION if commune_level else "Xã/phường", category, *headers],
            lines,
            (1.2, 3.0, 5.8, *[2.0] * len(headers)),
            aligns=("center", "left", "left", *["right"] * len(headers)),
        )
    if report.warnings:
        doc.heading("Lưu ý khi tổng hợp")
        for notice in report.warnings:
            doc.para(f"- {merge.vietnamese(notice)}", indent_cm=1.0, after=2)
    doc.heading("Cách tính số liệu")
    doc.para(
        "Số lượt là số lần phát trọn vẹn một bài; buổi phát bị gián đoạn, bị lỗi hoặc bị bỏ lỡ "
        "không được tính (chi tiết trong báo cáo tháng của từng trạm). Số ngày có phát của một "
        "xã là số ngày có ít nhất một trạm phát; không cộng dồn giữa các xã. Tiếp sóng và phát "
        "trực tiếp được tính riêng, không cộng vào số lượt phát bài; số liệu theo mức độ, theo "
        "tiếng và theo hình thức là tổng số liệu cùng loại trong báo cáo tháng của các trạm.",
        indent_cm=1.0,
    )
    doc.para(after=6)
    if commune_level:
        doc.signatures(
            ["NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)"],
            [f"TM. {w.issuing_body(report.commune)}", "CHỦ TỊCH", "(Ký, đóng dấu, ghi rõ họ tên)"],
        )
        doc.recipients([f"- {report.recipient} (để báo cáo);", "- Lưu: VP."])
    else:
        doc.signatures(
            ["NGƯỜI TỔNG HỢP", "(Ký, ghi rõ họ tên)"],
            ["THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên)"],
        )
    return doc.save()
