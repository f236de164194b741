"""One set of figures everywhere (issue 17): in a county where one workbook is rejected, one item
is never returned and units self-evaluate, every count, amount, grade and coverage figure the
report states equals the matching 汇总表 figure, and the report says what it leaves out and marks
itself a draft; once every item is in, it is final and ``--final`` is allowed."""

from __future__ import annotations

import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from perfeval import pipeline
from perfeval.cli import app
from tests.conftest import ITEMS, Folder, full_fill

ROWS = [
    *ITEMS,  # P1, P2 重点项目; D1 部门整体; S1 单位自评
    ("P3", "2024年测试项目丙", "测试县教育局", "重点项目", "项目支出绩效评价", "30", "30", "100"),
    (
        "S2",
        "2024年测试自评项目二",
        "测试县民政局",
        "单位自评",
        "项目支出绩效自评",
        "12",
        None,
        "400",
    ),
]


def sheet(path, name: str, first: str) -> tuple[list[dict], dict | None]:
    """A sheet's rows under the header that starts with ``first``, and its 合计 row if any."""
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    at = next(n for n, r in enumerate(rows) if r and r[0] == first)
    head = rows[at]
    body = [dict(zip(head, r, strict=False)) for r in rows[at + 1 :] if r and r[0] is not None]
    totals = next((r for r in body if r[first] == "合计"), None)
    return [r for r in body if r[first] != "合计"], totals


def money(value) -> str:
    return f"{Decimal(str(value)):.2f}"


@pytest.fixture
def county(tmp_path):
    folder = Folder(tmp_path / "eval", ROWS)
    fw = folder.framework("P1")
    folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 99}}))  # rejected: score over weight
    low = {"score": 0, "reason": "未按计划完成。", "category": "E1"}
    folder.fill("P2")
    folder.fill("P3", full_fill(fw, **dict.fromkeys(("1.1.1", "1.1.2", "1.2.1"), low)))
    folder.fill("S1")
    folder.fill("S2")
    return folder  # D1 never returned


def test_every_figure_the_report_states_matches_the_summary(county):
    outcome = pipeline.do_run(county.ws.folder)
    out = county.ws.folder / "输出"
    md = (out / "工作总结报告.md").read_text(encoding="utf-8")
    summary = out / "汇总表.xlsx"

    items, _ = sheet(summary, "项目汇总", "项目编号")
    grades, grade_total = sheet(summary, "等级分布", "等级")
    coverage, coverage_total = sheet(summary, "覆盖率", "实施单位")
    excluded, _ = sheet(summary, "未纳入汇总", "项目编号")

    evaluated = [r for r in items if r["评价类型"] != "单位自评"]
    own = [r for r in items if r["评价类型"] == "单位自评"]
    assert {r["项目编号"] for r in evaluated} == {"P2", "P3"}
    assert {r["项目编号"] for r in own} == {"S1", "S2"}

    # counts and amounts: the report's scope sentence, 等级分布's totals, 覆盖率's totals
    amount = money(sum(Decimal(str(r["预算数（万元）"])) for r in evaluated))
    assert f"已完成评价并纳入本报告的有{len(evaluated)}个重点项目，" in md
    assert f"评价金额合计{amount}万元" in md
    assert grade_total["重点评价项目个数"] == len(evaluated)
    assert money(grade_total["重点评价金额（万元）"]) == amount
    assert money(coverage_total["已完成评价金额（万元）"]) == amount
    assert f"本年度选取{len(county.ws.roster.items) - 2}个项目" in md  # S1 and S2 are the units'

    # the grade table, row by row
    table = re.findall(r"^\| (\S+) \| [^|]+ \| (\d+) \| ([\d.]+) \|$", md, re.M)
    assert [(g, int(n), a) for g, n, a in table] == [
        (r["等级"], r["重点评价项目个数"], money(r["重点评价金额（万元）"])) for r in grades
    ]

    # self-evaluations: the report's paragraph and 等级分布's own columns
    own_amount = money(grade_total["单位自评金额（万元）"])
    assert grade_total["单位自评项目个数"] == len(own) == 2
    assert f"对{len(own)}个项目开展了绩效自评并通过校验" in md
    assert f"金额合计{own_amount}万元" in md

    # coverage: the range the report states is 覆盖率's completed shares
    rates = [Decimal(str(r["已完成评价比例（%）"])) for r in coverage]
    assert f"比例为{min(rates):.2f}%至{max(rates):.2f}%" in md
    planned = {r["实施单位"]: r["清单选取金额（万元）"] for r in coverage}
    assert planned["测试县民政局"] == 100  # P1 counts in the plan, not in what is done
    done = {r["实施单位"]: r["已完成评价金额（万元）"] for r in coverage}
    assert done["测试县民政局"] == 0

    # problems: the report counts what 问题汇总 counts (every item in 汇总表)
    assert f"在纳入汇总的{len(items)}个项目（其中单位自评2个）中" in md

    # what is left out: named in 一、基本情况, in 未纳入汇总 and on the console line
    assert {r["项目编号"]: r["原因"] for r in excluded} == {
        "P1": "交回的填报表有1处错误，已退回修改",
        "D1": "尚未交回",
    }
    basics = md.split("## 二、")[0]
    assert "项目清单中有2个项目尚未纳入本报告" in basics
    assert "2024年测试项目甲（测试县民政局），交回的填报表有1处错误" in basics
    assert "2024年测试局部门整体支出（测试县人社局），尚未交回" in basics
    assert md.splitlines()[2] == "（征求意见稿）"
    word = docx.Document(str(out / "工作总结报告.docx"))
    assert [p.text for p in word.paragraphs[:2]] == [
        outcome.results.settings.title,
        "（征求意见稿）",
    ]
    assert "征求意见稿" in outcome.status
    assert "P1" in outcome.status
    assert "D1" in outcome.status


def test_final_is_refused_while_items_are_missing_and_allowed_when_all_are_in(county):
    root = county.ws.folder
    runner = CliRunner(env={"COLUMNS": "400"})
    refused = runner.invoke(app, ["run", str(root), "--final"])
    assert refused.exit_code == 2, refused.output
    for named in ("P1 2024年测试项目甲", "D1 2024年测试局部门整体支出"):
        assert named in refused.output
    assert not (root / "输出" / "工作总结报告.md").exists()

    county.fill("P1")
    county.fill("D1")
    done = runner.invoke(app, ["report", str(root), "--final"])
    assert done.exit_code == 0, done.output
    assert "全部6个项目" in done.output
    md = (root / "输出" / "工作总结报告.md").read_text(encoding="utf-8")
    assert "征求意见稿" not in md
    assert "尚未纳入" not in md
    assert "本年度选取4个项目开展重点绩效评价。已完成评价并纳入本报告的有" in md


def test_the_sources_appendix_only_when_asked(county):
    root = county.ws.folder
    config = root / "perfeval.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "sources_appendix = false", "sources_appendix = true"
        ),
        encoding="utf-8",
    )
    pipeline.do_run(root)
    md = (root / "输出" / "工作总结报告.md").read_text(encoding="utf-8")
    assert "附件：测试县2024年度绩效评价汇总表" in md
