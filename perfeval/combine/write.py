"""Writing the roll-up: 多地区汇总表.xlsx (地区汇总, 评价项目清单, 问题分类) and a short report
from ``templates/combine/多地区汇总报告.md.j2`` and ``.docx`` (the same context), all atomically
into the output folder."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd

from perfeval.combine.inputs import RegionYear
from perfeval.combine.tables import (
    NOTES,
    SELF,
    category_table,
    item_list,
    region_table,
    region_totals,
)
from perfeval.config.settings import Settings
from perfeval.machinery.atomic import atomic_path, make_folder, write_text
from perfeval.machinery.resources import templates_dir
from perfeval.numbers import HUNDRED, fmt_money, fmt_rate, fmt_score, q2
from perfeval.render.report import render_markdown, write_docx
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_frame

WORKBOOK = "多地区汇总表.xlsx"
REPORT = "多地区汇总报告"
TEMPLATES = templates_dir() / "combine"
SHOWN_CATEGORIES = 5


def write_combined(
    regions: list[RegionYear], out: Path, title: str, settings: Settings
) -> tuple[list[Path], dict[str, pd.DataFrame]]:
    grades = [g.name for g in settings.grades]
    tables = {
        "地区汇总": region_table(regions, grades),
        "评价项目清单": item_list(regions),
        "问题分类": category_table(regions),
    }
    make_folder(out)
    workbook = out / WORKBOOK
    totals = {"地区汇总": region_totals(regions, grades)}
    with atomic_path(workbook) as tmp:
        wb = new_workbook(tmp)
        try:
            f = TableFormats(wb)
            for n, (name, frame) in enumerate(tables.items()):
                write_frame(
                    wb,
                    name,
                    frame,
                    f,
                    title=f"{title}（单位：万元、分、%）" if n == 0 else "",
                    note=NOTES[name],
                    totals=totals.get(name),
                )
            wb.close()
        except BaseException:
            wb.discard()
            raise
    context = _context(regions, tables, title, settings)
    markdown = out / f"{REPORT}.md"
    write_text(markdown, render_markdown(context, TEMPLATES / f"{REPORT}.md.j2"))
    word = write_docx(context, TEMPLATES / f"{REPORT}.docx", out / f"{REPORT}.docx")
    return [workbook, markdown, word], tables


def _context(regions, tables, title: str, s: Settings) -> dict:
    grades = [g.name for g in s.grades]
    done = [e for ry in regions for e in ry.rows["evaluations"] if e["evaluator"] != SELF]
    own = [e for ry in regions for e in ry.rows["evaluations"] if e["evaluator"] == SELF]
    counted = Counter(e["grade"] for e in done)
    rows = []
    low = []
    minimum = s.coverage_min * HUNDRED
    for r in tables["地区汇总"].to_dict("records"):
        coverage = r["覆盖率（%）"]
        if coverage is not None and coverage == coverage and coverage < minimum:
            low.append(r["地区"])
        rows.append(
            {
                "region": r["地区"],
                "code": r["区划代码"],
                "year": r["年度"],
                "count": r["评价项目数"],
                "amount": fmt_money(r["评价金额（万元）"]),
                "good_rate": fmt_rate(_or_none(r["优良率（%）"])),
                "mean": fmt_score(_or_none(r["平均分"])),
                "coverage": fmt_rate(_or_none(coverage)),
            }
        )
    categories = [
        {
            "label": c["问题分类"],
            "regions": c["涉及地区数"],
            "item_count": c["涉及项目数"],
            "count": c["问题条数"],
        }
        for c in tables["问题分类"].to_dict("records")[:SHOWN_CATEGORIES]
    ]
    phrase = "；".join(
        f"评价等级为“{g}”的{counted[g]}个（{fmt_rate(q2(counted[g] * HUNDRED / len(done)))}）"
        for g in grades
        if counted.get(g)
    )
    years = sorted({ry.year for ry in regions})
    return {
        "title": title,
        "years": "、".join(str(y) for y in years),
        "region_count": len(regions),
        "regions": rows,
        "low_coverage": "、".join(low),
        "coverage_min": fmt_rate(minimum).replace(".00%", "%"),
        "categories": categories,
        "grade_names": grades,
        "totals": {
            "count": len(done),
            "amount": fmt_money(sum((e["budget"] for e in done), Decimal(0))),
            "grade_phrase": phrase or "暂无评价结果",
            "own_count": len(own),
            "own_amount": fmt_money(sum((e["budget"] for e in own), Decimal(0))),
            "problems": sum(len(ry.rows["problems"]) for ry in regions),
        },
    }


def _or_none(value):
    """A table cell as a Decimal or None (pandas shows a missing value as NaN)."""
    return None if value is None or value != value else value
