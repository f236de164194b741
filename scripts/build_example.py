"""Rebuild the bundled example (workbooks/2024-特克斯县) from workbooks/example_data.toml.

It goes through perfeval's own steps, so the example follows every change of the template:
init an evaluation folder, write the roster, ``perfeval issue``, fill each issued workbook as a
clerk would (unlocked cells only), then validate and check each total against the published one.

    python scripts/build_example.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path

import openpyxl

from perfeval.check.finding import Severity
from perfeval.config.framework import Framework
from perfeval.config.roster import RosterItem, write_roster
from perfeval.config.workspace import TARGETS_KEY, init_folder, open_workspace
from perfeval.fill import Fill, fill_workbook
from perfeval.issue import issue_all
from perfeval.pipeline import do_validate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "workbooks" / "example_data.toml"
TARGET = ROOT / "workbooks" / "2024-特克斯县"


def roster_items(data: dict, ws) -> list[RosterItem]:
    items = []
    for n, it in enumerate(data["items"], start=2):
        fw = ws.frameworks.get(it["framework"])
        items.append(
            RosterItem(
                item_id=it["item_id"],
                name=it["name"],
                department=it["department"],
                unit=it["unit"],
                kind=it["kind"],
                framework_id=fw.id,
                budget=Decimal(it["budget"]),
                executed=Decimal(it["executed"]),
                unit_budget=Decimal(it["unit_budget"]),
                contact="",
                phone="",
                note="示例",
                row=n,
            )
        )
    return items


def fill_for(it: dict, fw: Framework, filled_on: dt.date) -> Fill:
    rows = {r["code"]: r for r in it.get("rows", [])}
    indicators = {}
    for ind in fw.leaves:
        if ind.computed:
            continue
        row = rows.get(ind.code, {})
        score = Decimal(str(it["scores"][ind.code]))
        default = ind.target or "达成"
        if ind.direction == "定性":
            default = "达成" if score == ind.weight else "基本达成"
        entry = {"actual": row.get("actual") or default, "score": float(score)}
        for key in ("direction", "target", "unit"):
            if key in row and not getattr(ind, key):
                entry[key] = row[key]
        if row.get("reason"):
            entry["reason"] = row["reason"]
        if row.get("category"):
            entry["category"] = row["category"]
        indicators[ind.code] = entry
    return Fill(
        overview=it["overview"],
        outputs=it["outputs"] or None,
        contact={"filled_on": filled_on},
        other={"survey": "是"},
        indicators=indicators,
        problems=[dict(p) for p in it.get("problems", [])],
    )


def write_targets(data: dict, folder: Path) -> None:
    """The self-evaluation items' approved targets, in the two shapes bureaus have: one long
    table as the platform exports it, and a 申报表 per project (with a 分值 column)."""
    long_rows = []
    target_dir = folder / TARGETS_KEY
    target_dir.mkdir(exist_ok=True)
    for it in data["items"]:
        if it.get("targets_shape") == "long":
            long_rows += [(it["item_id"], *row) for row in it["targets"]]
        elif it.get("targets_shape") == "form":
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.title = "申报表"
            sheet.append(("项目支出绩效目标申报表",))
            sheet.append((f"（{data['evaluation']['year']}年度）",))
            sheet.append(("项目名称", it["name"], None, "主管部门", it["department"]))
            sheet.append(("实施单位", it["unit"], None, "项目属性", "经常性项目"))
            sheet.append(("项目资金（万元）", "年度资金总额", float(it["initial"])))
            sheet.append(("年度目标", it["goal"]))
            sheet.append(("一级指标", "二级指标", "三级指标", "指标值", "分值"))
            last = ("", "")
            for l1, l2, l3, direction, value, unit, weight in it["targets"]:
                # "=" typed first would make a formula: forms write the full-width sign
                sign = "\uff1d" if direction == "=" else direction
                shown = value if direction == "定性" else f"{sign}{value}{unit}"
                names = (l1 if l1 != last[0] else None, l2 if (l1, l2) != last else None)
                sheet.append((*names, l3, shown, weight))
                last = (l1, l2)
            sheet.append(("审核意见",))
            book.save(target_dir / f"申报表_{it['name']}.xlsx")
    if long_rows:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "绩效目标"
        sheet.append(("项目编号", "一级指标", "二级指标", "三级指标", "指标性质", "指标值"))
        sheet.cell(1, 7, "计量单位")
        sheet.cell(1, 8, "分值")
        for row in long_rows:
            sheet.append(row)
        book.save(target_dir / "一体化系统导出_绩效目标.xlsx")


def build(data: dict, folder: Path) -> list[str]:
    """An evaluation folder made from ``data`` (example_data.toml's shape) at ``folder``: roster,
    targets, issued and filled workbooks in 回收/. Returns what went wrong (problems found by
    validation, totals other than ``expected_total``); empty when the folder is as intended.
    The two-year archive test builds its second year with this."""
    ev = data["evaluation"]
    init_folder(folder, ev["year"], ev["region"], ev["bureau"])
    config = folder / "perfeval.toml"
    text = (
        config.read_text(encoding="utf-8")
        .replace('report_date = ""', f'report_date = "{ev["report_date"]}"', 1)
        .replace('region_code = ""', f'region_code = "{ev["region_code"]}"', 1)
    )
    config.write_text(text, encoding="utf-8")
    ws = open_workspace(folder)
    write_roster(ws.settings.path("roster"), roster_items(data, ws), ws.settings, ws.frameworks)
    write_targets(data, folder)
    ws = open_workspace(folder)
    labels = {c.code: c.label for c in ws.settings.problem_categories}
    issued = issue_all(ws, issued_at=dt.datetime.fromisoformat(ev["issued_at"]))
    by_id = {it["item_id"]: it for it in data["items"]}
    for wb in issued:
        it = by_id[wb.item_id]
        fw = ws.framework_for(ws.roster.get(wb.item_id))
        fill = fill_for(it, fw, dt.date.fromisoformat(ev["filled_on"]))
        if "initial" in it:
            fill.parts[("total", "initial")] = float(it["initial"])
        fill.adjustment = it.get("adjustment")
        for entry in fill.indicators.values():
            if "category" in entry:
                entry["category"] = labels[entry["category"]]
        for prob in fill.problems:
            prob["category"] = labels[prob["category"]]
        fill_workbook(wb.path, ws.settings.path("returned") / wb.path.name, fill)
    outcome = do_validate(folder, ws)
    wrong = [
        f"{f.file} {f.sheet} {f.cell} {f.code} {f.message}"
        for f in outcome.validation.findings
        if f.severity != Severity.INFO
    ]
    scores = {s.item.item_id: s.total for s in outcome.validation.scores}
    for it in data["items"]:
        want, got = Decimal(it["expected_total"]), scores.get(it["item_id"])
        if got != want:
            wrong.append(f"{it['item_id']}: total {got}, expected {want}")
    return wrong


def main() -> int:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "example"
        wrong = build(data, folder)
        for line in wrong:
            print(line, file=sys.stderr)
        if wrong:
            return 1
        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.mkdir(parents=True)
        for name in ("perfeval.toml", "项目清单.xlsx"):
            shutil.copyfile(folder / name, TARGET / name)
        for sub in ("指标体系", "回收", TARGETS_KEY):
            shutil.copytree(folder / sub, TARGET / sub)
    count = len(data["items"])
    print(f"rebuilt {TARGET.relative_to(ROOT)}: {count} returned workbooks, totals match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
