"""Text is shown as written and compared normalized (issue 17).

Frameworks, the roster and clerks write full-width punctuation and digits ("；" "，" "（）" "９").
perfeval shows them as written (in issued workbooks, 汇总表, the report, and when a message quotes a
cell) and compares them in their normalized form (labels, codes, dropdown values, numbers).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfeval import layout as L
from perfeval import pipeline
from perfeval.config.framework_file import load_framework
from perfeval.config.workspace import open_workspace
from perfeval.errors import ConfigError
from perfeval.fill import fill_workbook
from perfeval.issue import issue_all
from perfeval.read import parse
from perfeval.validate import validate
from tests.conftest import Folder, full_fill, make_workspace, row_of
from tests.test_framework import GOOD, write_framework
from tests.test_tolerance import _wps_like

PROJECT = "项目支出绩效评价"
NAME = "2024年村级道路（一期）项目：硬化、养护"
UNIT = "测试县交通运输局（本级）"
ROWS = [
    ("P1", NAME, UNIT, "重点项目", PROJECT, "100", "100", "400"),
    # the same unit in half-width brackets, and (below) the framework by its 编号 in full width
    (
        "P2",
        "2024年村级道路（二期）项目",
        "测试县交通运输局(本级)",
        "重点项目",
        PROJECT,
        "50",
        "50",
        "400",
    ),
]
REASON = "资料不全（缺２份），下一年度补齐。"


def wide(text: str) -> str:
    """``text`` with its ASCII letters, digits and signs in their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """Two items issued from a roster written with full-width text; P1 filled clean except for
    a score typed as text, P2 with a score out of range."""
    folder = tmp_path_factory.mktemp("as-written") / "eval"
    ws = make_workspace(folder, ROWS)
    roster = ws.settings.path("roster")
    wb = openpyxl.load_workbook(roster)
    wb.active["F3"] = wide("xmzc-pj")
    wb.save(roster)
    ws = open_workspace(folder)
    issued = {w.item_id: w.path for w in issue_all(ws)}
    fw = ws.frameworks.get("xmzc-pj")
    returned = ws.settings.path("returned")
    typed = full_fill(fw, **{"1.1.1": {"score": "２分", "reason": REASON}})
    fill_workbook(issued["P1"], returned / issued["P1"].name, typed)
    wrong = full_fill(fw, **{"1.1.1": {"score": "１２"}})
    fill_workbook(issued["P2"], returned / issued["P2"].name, wrong)
    outcome = pipeline.do_run(folder)
    return ws, issued, outcome


def test_the_roster_keeps_text_as_written_and_compares_it_normalized(county):
    ws, _, _ = county
    p1, p2 = ws.roster.get("P1"), ws.roster.get("P2")
    assert (p1.name, p1.unit, p1.department) == (NAME, UNIT, UNIT)
    assert p2.unit == UNIT  # one unit, spelled as the roster first spells it
    assert p2.framework_id == "xmzc-pj"
    assert ws.roster.findings == []


def test_the_issued_workbook_shows_roster_text_as_written(county):
    _, issued, _ = county
    assert _facts(issued["P1"])[L.INFO_FIELDS["name"]] == NAME
    assert _facts(issued["P1"])[L.INFO_FIELDS["unit"]] == UNIT
    assert _facts(issued["P2"])[L.INFO_FIELDS["unit"]] == UNIT


def _facts(path: Path) -> dict[str, object]:
    info = openpyxl.load_workbook(path)[L.SHEET_INFO]
    return {info.cell(r, 1).value: info.cell(r, 2).value for r in range(1, info.max_row + 1)}


def test_the_issued_workbook_shows_framework_text_as_in_the_framework_file(county):
    ws, issued, _ = county
    fw = ws.frameworks.get("xmzc-pj")
    source = openpyxl.load_workbook(fw.source)["指标"]
    head = {cell.value: cell.column for cell in source[1]}
    written = {}
    for row in source.iter_rows(min_row=2):
        code = row[head["编码"] - 1].value
        if row[head["三级指标"] - 1].value:
            written[code] = {
                key: (row[head[label] - 1].value or "")
                for key, label in (
                    ("l3", "三级指标"),
                    ("standard", "评分标准"),
                    ("target", "年度指标值"),
                )
            }
    sheet = openpyxl.load_workbook(issued["P1"])[L.SHEET_INDICATORS]
    cols = {key: n + 1 for n, key in enumerate(L.IND_COLUMNS)}
    full_width = 0
    for code, texts in written.items():
        r = row_of(fw, code)
        for key, text in texts.items():
            assert (sheet.cell(r, cols[key]).value or "") == str(text).strip(), (code, key)
            full_width += any(ch in str(text) for ch in "，；（）：")
    assert full_width > 10  # the bundled framework writes full-width punctuation: it stays


def test_a_message_quotes_what_the_clerk_typed(county):
    _, issued, outcome = county
    found = {(f.file, f.code): f.message for f in outcome.validation.findings}
    typed = found[(issued["P1"].name, "PE-CELL-003")]
    assert "“２分”" in typed
    assert "已按2读取" in typed
    wrong = found[(issued["P2"].name, "PE-SCORE-001")]
    assert "得分１２超出0至3分的范围" in wrong


def test_summary_and_report_show_names_and_clerks_text_as_written(county):
    ws, _, _ = county
    out = ws.settings.path("output")
    book = openpyxl.load_workbook(out / "汇总表.xlsx")
    texts = [
        c.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert NAME in texts
    assert UNIT in texts
    assert any(REASON in t for t in texts)
    normalized = parse.normalize_text(NAME)
    assert normalized != NAME
    assert not any(normalized in t for t in texts)
    report = (out / "工作总结报告.md").read_text(encoding="utf-8")
    assert NAME in report
    assert normalized not in report
    assert parse.normalize_text(UNIT) not in report


def test_a_workbook_saved_with_wps_quirks_still_reads(county, tmp_path):
    ws, issued, _ = county
    returned = ws.settings.path("returned")
    path = returned / issued["P1"].name
    original = path.read_bytes()
    try:
        path.write_bytes(_wps_like(original))
        result = validate(ws, use_cache=False)
        mine = [f.code for f in result.findings if f.file == path.name]
        assert mine == ["PE-CELL-003"]
    finally:
        path.write_bytes(original)


def test_a_workbook_issued_before_text_was_kept_as_written_still_reads(tmp_path):
    """perfeval 0.1.0 wrote roster and framework text NFKC-normalized ('，' as ',') and recorded
    the hash of the framework in that form. Such a workbook, returned after an upgrade, is still
    the one issued, unchanged: the issue hash is that hash, and locked text compares normalized."""
    row = ("P1", NAME, UNIT, "部门整体", "部门整体支出绩效评价", "100", "100", "100")
    folder = Folder(tmp_path / "eval", [row])
    fw = folder.framework("P1")
    issued = openpyxl.load_workbook(folder.issued["P1"])
    old_style = {}
    for sheet in (L.SHEET_INFO, L.SHEET_INDICATORS):
        for row in issued[sheet].iter_rows():
            for cell in row:
                text = cell.value
                if cell.data_type == "s" and text and parse.normalize_text(text) != text:
                    old_style[(sheet, cell.coordinate)] = parse.normalize_text(text)
    changed = {sheet for sheet, _ in old_style}
    assert changed == {L.SHEET_INFO, L.SHEET_INDICATORS}  # the name, and framework text
    fill = full_fill(fw)
    fill.cells = old_style
    path = folder.fill("P1", fill, force=True)
    result = validate(folder.ws, use_cache=False)
    assert [f.key for f in result.findings if f.file == path.name] == []
    ident = {r[0]: r[1] for r in issued[L.SHEET_IDENTITY].iter_rows(values_only=True)}
    assert ident["framework_hash"] == fw.issue_hash != fw.content_hash


def test_the_issue_hash_ignores_widths_the_content_hash_does_not(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[2][3] = "依据（文件）"
    plain = [list(r) for r in GOOD]
    plain[2][3] = "依据(文件)"
    a = load_framework(write_framework(tmp_path / "a.xlsx", rows))
    b = load_framework(write_framework(tmp_path / "b.xlsx", plain))
    assert a.issue_hash == b.issue_hash
    assert a.content_hash != b.content_hash


def test_frameworks_compare_labels_normalized_and_quote_cells_as_written(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[5] = ["2.1.1", "", "", "满意度（群众）", 30, wide(">="), "９０", "％"]
    fw = load_framework(write_framework(tmp_path / "f.xlsx", rows))
    leaf = fw.by_code("2.1.1")
    assert (leaf.name, leaf.direction, leaf.target, leaf.unit) == (
        "满意度（群众）",
        "≥",
        "９０",
        "％",
    )
    bad = [list(r) for r in GOOD]
    bad[2][4] = "４０分"
    bad[4] = ["2", "效益（一）", "", "", 60]
    bad.insert(5, ["3", "效益(一)", "", "", 60])
    with pytest.raises(ConfigError) as err:
        load_framework(write_framework(tmp_path / "bad.xlsx", bad))
    message = err.value.message
    assert "分值“４０分”应为大于0的数字" in message
    assert "指标名称“效益(一)”与第6行重复" in message


def test_a_roster_message_quotes_the_cell_as_written(tmp_path):
    rows = [("P1", "项目", "单位", "重点项目", "项目支出绩效评价", "100", None, "400")]
    ws = make_workspace(tmp_path / "eval", rows)
    roster = ws.settings.path("roster")
    wb = openpyxl.load_workbook(roster)
    wb.active["G2"] = "约１００万"
    wb.save(roster)
    found = open_workspace(tmp_path / "eval").roster.findings
    assert [f.code for f in found] == ["PE-ROSTER-005"]
    assert "“约１００万”" in found[0].message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("  ９５分 ", "９５分"), (95.0, "95"), (2.5, "2.5"), ("第一行\n第二行", "第一行\n第二行")],
)
def test_as_written(raw, shown):
    assert parse.as_written(raw) == shown


def test_placeholders_in_any_width_are_placeholders():
    assert parse.parse_text(wide("XX")).issue == parse.PLACEHOLDER
    assert parse.parse_text(wide("/")).issue == parse.PLACEHOLDER
    assert parse.parse_text("（一期）").value == "（一期）"
    assert parse.parse_number("９５分", units=("分",)).value == Decimal(95)


def test_an_own_indicators_direction_is_compared_normalized(folder):
    fw = folder.framework("S1")
    group = next(g for g in fw.level2 if g.reserved)
    code = L.custom_code(group.code, 1)
    fill = full_fill(fw, **{code: {"direction": "＝", "target": "10", "actual": "8"}})
    path = folder.fill("S1", fill)
    result = validate(folder.ws, use_cache=False)
    mine = [f.code for f in result.findings if f.file == path.name]
    assert mine == ["PE-SCORE-007"]  # full marks although 8 is not = 10: the rule saw "="
