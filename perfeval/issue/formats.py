"""Cell formats for issued workbooks. Input cells share one fill colour, explained in 填报说明."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#D9E1F2"
SECTION_FILL = "#F2F2F2"
FONT = "宋体"


@dataclass
class Formats:
    title: Format
    note: Format
    section: Format
    header: Format
    label: Format
    locked: Format
    locked_wrap: Format
    locked_money: Format
    locked_score: Format
    locked_center: Format
    locked_code: Format
    label_indent: Format
    input_text_center: Format
    bad: Format
    locked_rate: Format
    input: Format
    input_wrap: Format
    input_money: Format
    input_score: Format
    input_date: Format
    calc_score: Format
    calc_rate: Format
    calc_text: Format
    guide: Format
    guide_head: Format


def make_formats(wb: Workbook) -> Formats:
    def fmt(**props: object) -> Format:
        base: dict[str, object] = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        base.update(props)
        return wb.add_format(base)

    cell = {"border": 1}
    unlocked = {"border": 1, "locked": False, "bg_color": INPUT_FILL}
    return Formats(
        title=fmt(bold=True, font_size=16, align="center"),
        note=fmt(font_color="#595959", text_wrap=True),  # 10 pt: prints at 8 pt or more
        section=fmt(bold=True, bg_color=SECTION_FILL, **cell),
        header=fmt(bold=True, bg_color=HEADER_FILL, align="center", text_wrap=True, **cell),
        label=fmt(bold=True, text_wrap=True, **cell),
        locked=fmt(num_format="@", **cell),
        locked_wrap=fmt(text_wrap=True, num_format="@", **cell),
        locked_money=fmt(num_format="0.00", **cell),
        locked_score=fmt(num_format="0.00", align="center", **cell),
        locked_center=fmt(align="center", **cell),
        locked_code=fmt(num_format="@", font_color="#808080", **cell),
        label_indent=fmt(indent=2, **cell),
        input_text_center=fmt(num_format="@", align="center", **unlocked),
        bad=wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        locked_rate=fmt(num_format="0.00%", **cell),
        input=fmt(num_format="@", **unlocked),
        input_wrap=fmt(text_wrap=True, valign="top", num_format="@", **unlocked),
        input_money=fmt(num_format="0.00", **unlocked),
        input_score=fmt(num_format="0.00", align="center", **unlocked),
        input_date=fmt(num_format="yyyy-mm-dd", **unlocked),
        calc_score=fmt(num_format="0.00", bold=True, align="center", **cell),
        calc_rate=fmt(num_format="0.00%", align="center", **cell),
        calc_text=fmt(bold=True, align="center", **cell),
        guide=fmt(font_size=11, text_wrap=True, valign="top"),
        guide_head=fmt(font_size=11, bold=True),
    )
