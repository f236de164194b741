"""The rounding rule at its edges (issue 17): perfeval's total is the issued workbook's own.

The rule, as the template's live total computes it: a 执行率计分 indicator scores
ROUND(MIN(执行率, 1) × 分值, 2); every other score counts as typed; the total is ROUND(SUM(…), 2).
So the total is not always the rounded sum of the unrounded scores, and on the edges below the two
differ by a grade. perfeval must give what the clerk's sheet shows. The sheet's figures are
computed here without perfeval: by evaluating the workbook's formulas (tests/formula_eval.py),
and, where LibreOffice is installed, by LibreOffice recalculating the filled workbook.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from perfeval import layout as L
from perfeval.aggregate.figures import aggregate
from perfeval.numbers import q2
from perfeval.validate import ValidationResult, validate
from tests.conftest import Folder, full_fill
from tests.formula_eval import Workbook, excel_round

DEPT, PROJECT = "部门整体支出绩效评价", "项目支出绩效评价"
ROWS = [
    # 1.9951 -> 2.00: the unrounded sum 89.9926 would be 89.99 (良); the sheet shows 90.00 (优)
    (
        "DU",
        "2024年测试局部门整体支出（一）",
        "测试县人社局",
        "部门整体",
        DEPT,
        "400",
        "399.02",
        "400",
    ),
    # 1.9926 -> 1.99: the unrounded sum 89.995 would be 90.00 (优); the sheet shows 89.99 (良)
    (
        "DD",
        "2024年测试局部门整体支出（二）",
        "测试县民政局",
        "部门整体",
        DEPT,
        "1000",
        "996.3",
        "1000",
    ),
    # 0.9997 × 5 = 4.9985 -> 5.00: full marks
    ("PF", "2024年测试项目（全）", "测试县教育局", "重点项目", PROJECT, "10000", "9997", "10000"),
]
WHY = {"reason": "部分工作未完成，下一年度改进。"}
FILLS = {
    "DU": {  # other scores 98 - 10.0025 = 87.9975
        "3.1.1": {"score": 4.9975, **WHY},
        "3.2.1": {"score": 0, **WHY},
        "3.2.2": {"score": 2, **WHY},
    },
    "DD": {  # other scores 98 - 9.9976 = 88.0024
        "3.2.1": {"score": 0, **WHY},
        "3.2.2": {"score": 2.0024, **WHY},
    },
    "PF": {},
}
EXPECTED = {  # item -> (执行率计分 score, unrounded sum, total, grade)
    "DU": (Decimal("2.00"), Decimal("89.9926"), Decimal("90.00"), "优"),
    "DD": (Decimal("1.99"), Decimal("89.9950"), Decimal("89.99"), "良"),
    "PF": (Decimal("5.00"), Decimal("99.9985"), Decimal("100.00"), "优"),
}


def _filled(path: Path) -> tuple[Folder, dict[str, Path], ValidationResult]:
    folder = Folder(path, ROWS)
    files = {iid: folder.fill(iid, full_fill(folder.framework(iid), **FILLS[iid])) for iid in FILLS}
    return folder, files, validate(folder.ws, use_cache=False)


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    return _filled(tmp_path_factory.mktemp("edge") / "eval")


def _sheet_figures(book: Workbook) -> tuple[float, str, float]:
    """(总分, 评价等级, the 执行率计分 score) as the workbook's own formulas compute them."""
    info = book.book[L.SHEET_INFO]
    rows = {info.cell(r, 1).value: r for r in range(1, info.max_row + 1)}
    total = book.value(L.SHEET_INFO, f"C{rows[L.TOTAL_LABEL]}")
    grade = book.value(L.SHEET_INFO, f"B{rows[L.GRADE_LABEL]}")
    ind = book.book[L.SHEET_INDICATORS]
    computed = next(
        c.coordinate
        for row in ind.iter_rows(min_row=L.IND_FIRST_ROW)
        for c in row
        if c.data_type == "f" and c.value.startswith("=IFERROR(ROUND(MIN(")
    )
    return total, grade, book.value(L.SHEET_INDICATORS, computed)


def test_the_edges_are_real(edge):
    """On each edge the rounded unrounded sum (the README's old wording) differs from the
    workbook's rule, by a grade: the test would catch either rule standing in for the other."""
    folder, _, result = edge
    scores = {s.item.item_id: s for s in result.scores}
    assert set(scores) == set(FILLS), [f.key for f in result.findings]
    for iid, (computed, unrounded, total, grade) in EXPECTED.items():
        item = scores[iid]
        (rate,) = [s for s in item.indicators if s.indicator.computed]
        share = item.executed / item.budget
        raw = min(share, Decimal(1)) * rate.indicator.weight
        others = sum((s.score for s in item.indicators if not s.indicator.computed), Decimal(0))
        assert others + raw == unrounded
        assert (rate.score, item.total, item.grade.name) == (computed, total, grade)
        if iid != "PF":
            naive = q2(unrounded)
            assert naive != total
            assert folder.ws.settings.grade_for(naive).name != grade


def test_a_score_typed_with_four_decimals_counts_as_typed(edge):
    _, _, result = edge
    du = next(s for s in result.scores if s.item.item_id == "DU")
    typed = next(s for s in du.indicators if s.indicator.code == "3.1.1")
    assert typed.score == Decimal("4.9975")


def test_perfeval_agrees_with_the_workbooks_own_formulas(edge):
    _, files, result = edge
    scores = {s.item.item_id: s for s in result.scores}
    for iid, path in files.items():
        total, grade, computed = _sheet_figures(Workbook(path))
        item = scores[iid]
        assert Decimal(str(total)) == item.total, iid
        assert grade == item.grade.name, iid
        (rate,) = [s for s in item.indicators if s.indicator.computed]
        assert Decimal(str(computed)) == rate.score, iid


def test_a_rate_score_of_4_9985_is_full_marks(edge):
    _, _, result = edge
    pf = next(s for s in result.scores if s.item.item_id == "PF")
    (rate,) = [s for s in pf.indicators if s.indicator.computed]
    assert rate.score == rate.indicator.weight == 5
    assert rate.full
    assert pf.full_marks == pf.indicator_count
    process = next(x for x in pf.level1 if x.name == rate.indicator.l1)
    assert (process.score, process.rate) == (process.weight, Decimal("100.00"))
    assert excel_round(0.9997 * 5, 2) == 5.0


def test_the_source_of_a_score_states_the_rule(edge):
    folder, _, result = edge
    results = aggregate(result, folder.ws.settings, folder.ws.roster.items)
    sources = {f.label: f.source for f in results.figures}
    source = sources["2024年测试局部门整体支出（一） 得分"]
    assert "四舍五入到两位小数" in source
    assert "“执行率计分”指标的得分为 min(执行率, 100%) × 分值，先四舍五入到两位小数" in source


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_recalculates_the_same_totals(tmp_path):
    """LibreOffice opens each filled workbook (openpyxl kept the formulas, not their values),
    recalculates it and saves it: its total and grade are perfeval's, every formula's value is the
    one tests/formula_eval.py computes, and perfeval reads the saved file to the same figures
    without a finding."""
    folder, files, result = _filled(tmp_path / "eval")
    out = tmp_path / "saved"
    profile = (tmp_path / "profile").as_uri()  # its own: a running LibreOffice is not disturbed
    subprocess.run(
        [
            *("soffice", f"-env:UserInstallation={profile}", "--headless"),
            *("--convert-to", "xlsx", "--outdir", str(out), *map(str, files.values())),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    scores = {s.item.item_id: s for s in result.scores}
    for iid, path in files.items():
        saved = out / path.name
        rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_name(L.SHEET_INFO).to_python()
        by_label = {r[0]: r for r in rows if r and isinstance(r[0], str)}
        total, grade = by_label[L.TOTAL_LABEL][2], by_label[L.GRADE_LABEL][1]
        assert (Decimal(str(total)), grade) == (scores[iid].total, scores[iid].grade.name), iid
        _same_as_the_evaluator(path, saved)
    for path in files.values():
        shutil.copyfile(out / path.name, path)
    again = validate(folder.ws, use_cache=False)
    assert [f.key for f in again.findings if f.file in {p.name for p in files.values()}] == []
    assert {s.item.item_id: s.total for s in again.scores} == {
        iid: total for iid, (_, _, total, _) in EXPECTED.items()
    }


def _same_as_the_evaluator(filled: Path, saved: Path) -> None:
    """Every formula of ``filled`` evaluates to what LibreOffice computed and saved."""
    mine = Workbook(filled)
    theirs = CalamineWorkbook.from_path(str(saved))
    checked = 0
    for ws in mine.book.worksheets:
        if ws.title not in theirs.sheet_names:
            continue
        grid = theirs.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    want = grid[cell.row - 1][cell.column - 1]
                    got = mine.value(ws.title, cell.coordinate)
                    assert got == pytest.approx(want, abs=1e-9), (ws.title, cell.coordinate)
                    checked += 1
    assert checked > 20
