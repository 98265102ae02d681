"""The workbook's cell styles: number formats, and the fonts, fills, alignments
and borders every sheet uses (made once per workbook).
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from survey.report.style import PALETTE

__all__ = [
    "_COUNT",
    "_MEAN",
    "_MEAN_CHANGE",
    "_PERCENT",
    "_PERCENT_1",
    "_PLACES_MOVED",
    "_P_VALUE",
    "_SCORE",
    "_SHARE_CHANGE",
    "_Styles",
]

_PERCENT = "0%"
_PERCENT_1 = "0.0%"
_MEAN = "0.0"
_SCORE = "0.00"
_COUNT = "0"
_P_VALUE = '[<0.001]"<0.001";0.000'
_SHARE_CHANGE = "+0%;-0%;0%"  # a difference of shares, in percentage points
_MEAN_CHANGE = "+0.0;-0.0;0.0"
_PLACES_MOVED = '"up "0;"down "0;"same"'


class _Styles:
    """The workbook's fonts, fills and alignments, made once."""

    def __init__(self) -> None:
        self.title = Font(bold=True, size=14, color=PALETTE[0].lstrip("#"))
        self.heading = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.note = Font(italic=True, size=9, color="595959")
        self.muted = Font(color="7F7F7F")
        self.muted_bold = Font(bold=True, color="595959")
        self.link = Font(color=PALETTE[0].lstrip("#"), underline="single")
        self.header_fill = PatternFill("solid", fgColor="E7EEF7")
        self.title_fill = PatternFill("solid", fgColor="F2F2F2")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right")
        self.left = Alignment(horizontal="left")
        self.indent = Alignment(indent=1, vertical="bottom", wrap_text=True)
        self.rule = Border(bottom=Side(style="thin", color="BFBFBF"))
        self.group_edge = Border(left=Side(style="thin", color="BFBFBF"))
        self.field_edge = Border(
            left=Side(style="thin", color="BFBFBF"), bottom=Side(style="thin", color="BFBFBF")
        )
