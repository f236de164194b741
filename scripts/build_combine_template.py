"""Build the Word template of the roll-up's report, ``templates/combine/多地区汇总报告.docx``,
with the same styles and page as the annual report's template (scripts/build_report_template.py)
and the same sentences as ``多地区汇总报告.md.j2``.

Run from the repository root:  python scripts/build_combine_template.py
"""

from __future__ import annotations

from pathlib import Path

from build_report_template import (
    CENTER,
    RIGHT,
    build_styles,
    loop_table,
    para,
    setup_page,
    tag,
)
from docx import Document

TARGET = Path(__file__).resolve().parents[1] / "templates" / "combine" / "多地区汇总报告.docx"

SUMMARY = (
    "本次汇总{{ years }}年度{{ region_count }}个地区的绩效评价结果。各地区财政评价和部门评价的项目"
    "（不含单位自评）共{{ totals.count }}个，评价金额合计{{ totals.amount }}万元；"
    "{{ totals.grade_phrase }}。另有单位自评项目{{ totals.own_count }}个，金额合计"
    "{{ totals.own_amount }}万元。"
)
PROBLEMS = (
    "各地区纳入汇总的项目（含单位自评）共反映问题{{ totals.problems }}条。"
    "{% for c in categories %}“{{ c.label }}”{{ c.count }}条，涉及{{ c.regions }}个地区的"
    '{{ c.item_count }}个项目{{ "；" if not loop.last else "。" }}{% endfor %}'
)


def build_body(doc) -> None:
    para(doc, "{{ title }}", "Title")
    para(doc, "一、基本情况", "Heading 1")
    para(doc, SUMMARY)
    para(doc, "二、各地区评价结果", "Heading 1")
    loop_table(
        doc,
        [
            ("地区", "{{ r.region }}", 30, CENTER),
            ("年度", "{{ r.year }}", 16, CENTER),
            ("评价项目数", "{{ r.count }}", 20, RIGHT),
            ("评价金额（万元）", "{{ r.amount }}", 30, RIGHT),
            ("优良率", "{{ r.good_rate }}", 20, RIGHT),
            ("平均分", "{{ r.mean }}", 18, RIGHT),
            ("覆盖率", "{{ r.coverage }}", 20, RIGHT),
        ],
        "r in regions",
    )
    para(doc)
    tag(doc, "if low_coverage")
    para(
        doc,
        "评价金额占单位年度项目预算总额的比例低于{{ coverage_min }}的地区：{{ low_coverage }}。",
    )
    tag(doc, "endif")
    para(doc, "三、反映较多的问题", "Heading 1")
    tag(doc, "if categories")
    para(doc, PROBLEMS)
    tag(doc, "else")
    para(doc, "各地区纳入汇总的项目未反映需要归类的问题。")
    tag(doc, "endif")
    para(doc, "各项目的得分和等级见多地区汇总表“评价项目清单”工作表。")


def main() -> None:
    doc = Document()
    build_styles(doc)
    setup_page(doc)
    build_body(doc)
    doc.core_properties.title = "多地区绩效评价汇总报告模板"
    doc.core_properties.author = "perfeval"
    doc.save(str(TARGET))
    print(f"written {TARGET}")


if __name__ == "__main__":
    main()
