"""The money table as real forms have it: 年初预算数, funding rows from configuration, and a
reason for a budget adjusted during the year."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from perfeval import layout as L
from perfeval import pipeline
from perfeval.config.workspace import open_workspace
from perfeval.issue import issue_all
from tests.conftest import Folder, full_fill


def info_cells(path: Path) -> dict[str, dict[str, str]]:
    """基本信息's money table: row label -> column label -> cell."""
    ws = openpyxl.load_workbook(path)[L.SHEET_INFO]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == L.MONEY_HEADER)
    cols = {ws.cell(header, c).value: c for c in range(2, 7)}
    out = {}
    for r in range(header + 1, header + 8):
        label = ws.cell(r, 1).value
        if not label or label == L.ADJUSTMENT_LABEL:
            break
        out[label] = {name: ws.cell(r, c).coordinate for name, c in cols.items()}
    return out


def keys(folder: Folder, name: str) -> set[tuple[str, str]]:
    found = pipeline.do_validate(folder.ws.folder).validation.findings
    return {(f.code, f.cell) for f in found if f.file == name}


def test_an_adjusted_budget_needs_its_reason(folder):
    fw = folder.framework("P1")
    fill = full_fill(fw)
    fill.parts = {("total", "initial"): 80}  # 全年 100 against 年初 80: 25% > 10%
    name = folder.fill("P1", fill).name
    cells = info_cells(folder.issued["P1"])
    assert cells[L.MONEY_TOTAL]["年初预算数"] == "B13"
    found = keys(folder, name)
    assert ("PE-MONEY-007", "B17") in found  # the 预算调整说明 cell
    fill.adjustment = "年中追加道路养护资金20万元（县财预2024年15号文）。"
    name = folder.fill("P1", fill).name
    assert "PE-MONEY-007" not in {c for c, _ in keys(folder, name)}


def test_a_small_adjustment_needs_no_reason(folder):
    fill = full_fill(folder.framework("P1"))
    fill.parts = {("total", "initial"): 95}  # 5%
    name = folder.fill("P1", fill).name
    assert "PE-MONEY-007" not in {c for c, _ in keys(folder, name)}


def test_funding_rows_come_from_the_configuration_and_must_add_up(tmp_path):
    folder = Folder(tmp_path / "eval")
    config = folder.ws.folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    sichuan = '["财政资金", "财政专户管理资金", "单位资金", "其他资金"]'
    text = text.replace(
        'parts = ["本年财政拨款", "上年结转资金", "其他资金"]', f"parts = {sichuan}"
    )
    config.write_text(text, encoding="utf-8")
    folder.ws = open_workspace(folder.ws.folder)
    folder.issued = {w.item_id: w.path for w in issue_all(folder.ws)}
    cells = info_cells(folder.issued["P1"])
    assert list(cells) == [
        L.MONEY_TOTAL,
        "其中：财政资金",
        "财政专户管理资金",
        "单位资金",
        "其他资金",
    ]
    fill = full_fill(folder.framework("P1"))
    # as on real forms: the total's 年初预算数 left at 0 above filled parts
    fill.parts = {
        ("total", "initial"): 0,
        ("财政资金", "initial"): 60,
        ("单位资金", "initial"): 40,
    }
    name = folder.fill("P1", fill).name
    assert ("PE-MONEY-004", cells[L.MONEY_TOTAL]["年初预算数"]) in keys(folder, name)
