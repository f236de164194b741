"""Annotated copies sent back to departments, and the catalogue's completeness."""

import hashlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

from perfeval import layout as L
from perfeval import pipeline
from perfeval.check.catalogue import Code, Finding, Severity, all_rules
from perfeval.errors import ConfigError
from perfeval.render.annotate import SUMMARY_SHEET
from perfeval.render.patch import patch_annotated
from perfeval.settings import load_settings
from tests.conftest import full_fill, row_of

LIBREOFFICE = Path(__file__).parent / "data" / "libreoffice"


def red_cells(ws) -> set[str]:
    """Cells highlighted by the copy's conditional formats (rule TRUE)."""
    return {
        str(rng.sqref)
        for rng in ws.conditional_formatting
        for rule in rng.rules
        if rule.formula == ["TRUE"]
    }


def unchanged_parts(copy: Path, theirs: Path) -> list[str]:
    """The department's zip entries that are in the copy byte for byte; the order is kept."""
    with zipfile.ZipFile(copy) as a, zipfile.ZipFile(theirs) as b:
        names = [n for n in a.namelist() if n in b.namelist()]
        assert a.namelist()[0] == "[Content_Types].xml"
        assert names == sorted(b.namelist(), key=lambda n: n != "[Content_Types].xml")
        return [n for n in names if a.read(n) == b.read(n)]


def test_workbooks_with_errors_get_an_annotated_copy(folder):
    fw = folder.framework("P1")
    evil = '=HYPERLINK("http://x","点我")'
    bad = folder.fill(
        "P1", full_fill(fw, **{"1.1.1": {"score": 9}, "1.1.2": {"score": 1, "actual": evil}})
    )
    folder.fill("P2")
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    outcome = pipeline.do_validate(folder.ws.folder)
    assert [p.name for p in outcome.returns] == [bad.name]
    copy = outcome.returns[0]
    assert copy.parent == folder.ws.settings.path("returns")
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before  # the input is untouched

    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    listed = [(r[0], r[1], r[2]) for r in wb[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)]
    mine = [f for f in outcome.validation.findings if f.file == bad.name]
    assert listed == [(f.sheet, f.cell, f.code) for f in mine]
    ind = wb[L.SHEET_INDICATORS]
    score = ind[f"K{row_of(fw, '1.1.1')}"]
    red = {
        str(rng.sqref)
        for rng in ind.conditional_formatting
        for rule in rng.rules
        if rule.formula == ["TRUE"]
    }
    assert score.coordinate in red
    assert score.value == 9  # the department's value is in the copy
    assert "超出0至3分的范围" in score.comment.text
    reason = ind[f"L{row_of(fw, '1.1.2')}"]
    assert "未填写偏差原因" in reason.comment.text
    link = wb[SUMMARY_SHEET]["B2"].hyperlink
    assert (link.location, link.target) == (f"{L.SHEET_INDICATORS}!{mine[0].cell}", None)
    # the department's text stays inert in the copy; its identity sheet is still there
    assert ind[f"J{row_of(fw, '1.1.2')}"].data_type == "s"
    assert wb[L.SHEET_IDENTITY].sheet_state == "veryHidden"


def test_tampered_workbooks_are_annotated_in_their_own_file(folder):
    fw = folder.framework("P1")
    fill = full_fill(fw)
    fill.cells[(L.SHEET_INDICATORS, f"H{row_of(fw, '1.1.1')}")] = 10  # a locked weight
    bad = folder.fill("P1", fill, force=True)
    outcome = pipeline.do_validate(folder.ws.folder)
    wb = openpyxl.load_workbook(outcome.returns[0])
    weight = wb[L.SHEET_INDICATORS][f"H{row_of(fw, '1.1.1')}"]
    assert weight.value == 10  # what they sent, not the template
    assert weight.coordinate in red_cells(wb[L.SHEET_INDICATORS])
    assert "分值应为3" in weight.comment.text
    assert bad.name == outcome.returns[0].name


def test_a_corrected_copy_validates_clean(folder):
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    folder.fill("P2")
    copy = pipeline.do_validate(folder.ws.folder).returns[0]
    wb = openpyxl.load_workbook(copy)
    wb[L.SHEET_INDICATORS][f"K{row_of(fw, '1.1.1')}"] = 3
    wb.save(bad)  # the department sends the corrected copy back under the same name
    outcome = pipeline.do_validate(folder.ws.folder)
    assert [f.key for f in outcome.validation.findings if f.file == bad.name] == []
    assert outcome.returns == []
    assert not list(folder.ws.settings.path("returns").glob("*.xlsx"))  # stale copy removed


def test_the_copy_is_their_own_file_marked(folder):
    """The fast path: the department's returned file with only the notes added."""
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    copy = pipeline.do_validate(folder.ws.folder).returns[0]
    kept = unchanged_parts(copy, bad)
    assert {"docProps/core.xml", "xl/theme/theme1.xml"} <= set(kept)  # a re-issue has its own
    wb = openpyxl.load_workbook(copy)
    assert [wb.active.title, wb.sheetnames[0]] == [SUMMARY_SHEET, SUMMARY_SHEET]
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    summary = wb[SUMMARY_SHEET]
    assert summary.freeze_panes == "A2"
    assert summary["A1"].font.b
    assert summary["A1"].fill.fgColor.rgb.endswith("D9E1F2")
    assert summary["B2"].font.u == "single"
    ind = wb[L.SHEET_INDICATORS]
    assert red_cells(ind) == {f"K{row_of(fw, '1.1.1')}"}
    assert ind.print_title_rows == "$3:$3"  # sheet-local names moved with their sheet
    # the comments of the template (on 基本信息) are still there
    assert any(c.comment for row in wb[L.SHEET_INFO].iter_rows() for c in row)


def test_reissue_setting_issues_a_clean_copy(folder):
    config = folder.ws.folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('annotated_copy = "mark"', 'annotated_copy = "reissue"'), "utf-8"
    )
    assert load_settings(folder.ws.folder).annotated_copy == "reissue"
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    copy = pipeline.do_validate(folder.ws.folder).returns[0]
    with zipfile.ZipFile(copy) as a, zipfile.ZipFile(bad) as b:
        assert a.read("docProps/core.xml") != b.read("docProps/core.xml")
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    assert f"K{row_of(fw, '1.1.1')}" in red_cells(wb[L.SHEET_INDICATORS])
    config.write_text(text.replace('annotated_copy = "mark"', 'annotated_copy = "fast"'), "utf-8")
    with pytest.raises(ConfigError, match="annotated_copy"):
        load_settings(folder.ws.folder)


def test_a_sheet_with_comments_falls_back_to_a_correct_copy(folder, tmp_path):
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    wb = openpyxl.load_workbook(bad)
    wb[L.SHEET_INDICATORS]["A4"].comment = Comment("单位自己的批注", "单位")
    wb.save(bad)
    outcome = pipeline.do_validate(folder.ws.folder)
    mine = [f for f in outcome.validation.findings if f.file == bad.name]
    assert patch_annotated(bad.read_bytes(), mine, tmp_path / "x.xlsx") is None
    assert not (tmp_path / "x.xlsx").exists()
    copy = outcome.returns[0]
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    score = wb[L.SHEET_INDICATORS][f"K{row_of(fw, '1.1.1')}"]
    assert score.coordinate in red_cells(wb[L.SHEET_INDICATORS])
    assert "超出0至3分的范围" in score.comment.text
    # a copy sent back again (it has 校验问题 already) is left to the slow paths too
    assert patch_annotated(copy.read_bytes(), mine, tmp_path / "y.xlsx") is None


def test_a_copy_of_a_file_saved_by_libreoffice(folder):
    src = zipfile.ZipFile(LIBREOFFICE / "P2.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # K5 (full marks 3) scored 9: the file stays LibreOffice's
            body = src.read(info).replace(
                b'<c r="K5" s="27" t="n"><v>3</v>', b'<c r="K5" s="27" t="n"><v>9</v>'
            )
            dst.writestr(info, body)
    bad = folder.returned / "P2.xlsx"
    bad.write_bytes(out.getvalue())
    outcome = pipeline.do_validate(folder.ws.folder)
    mine = [f.key for f in outcome.validation.findings if f.file == bad.name]
    assert mine == [(bad.name, L.SHEET_INDICATORS, "K5", "PE-SCORE-001")]
    copy = outcome.returns[0]
    assert "docProps/custom.xml" in unchanged_parts(copy, bad)
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    assert wb.active.title == SUMMARY_SHEET
    ind = wb[L.SHEET_INDICATORS]
    assert red_cells(ind) == {"K5"}
    assert "得分9超出0至3分的范围" in ind["K5"].comment.text
    assert ind["K5"].comment.author == "perfeval"
    assert [ws.print_title_rows for ws in wb.worksheets][3:5] == ["$3:$3", "$3:$3"]
    book = CalamineWorkbook.from_path(str(copy))
    assert book.sheet_names[0] == SUMMARY_SHEET
    rows = book.get_sheet_by_name(SUMMARY_SHEET).to_python()
    assert rows[1][:4] == [L.SHEET_INDICATORS, "K5", "PE-SCORE-001", "错误"]


def test_department_text_in_a_finding_stays_text(folder, tmp_path):
    bad = folder.fill("P1")
    evil = '=HYPERLINK("http://x","点我")'
    found = [
        Finding("PE-X-001", Severity.ERROR, bad.name, L.SHEET_INDICATORS, "J5", evil, "+1\x07"),
        Finding("PE-X-002", Severity.WARNING, bad.name, "不存在", "A1", "－1", "@x"),
        Finding("PE-X-003", Severity.ERROR, bad.name, "", "", "文件问题", "  "),
    ]
    copy = patch_annotated(bad.read_bytes(), found, tmp_path / "copy.xlsx")
    assert copy == tmp_path / "copy.xlsx"
    wb = openpyxl.load_workbook(copy)
    summary = wb[SUMMARY_SHEET]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    assert rows[0][4:] == (evil, "+1")
    assert rows[1][1:] == ("A1", "PE-X-002", "警告", "－1", "@x")
    for cell in (summary["E2"], summary["F2"], summary["E3"], summary["F3"]):
        assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert summary["B3"].hyperlink is None  # its sheet does not exist: listed, not linked
    assert rows[2][:2] == (None, None)
    assert "=HYPERLINK" in wb[L.SHEET_INDICATORS]["J5"].comment.text
    with zipfile.ZipFile(copy) as z, zipfile.ZipFile(bad) as theirs:
        new = [n for n in z.namelist() if n not in theirs.namelist()]
        (sheet,) = (z.read(n) for n in new if n.startswith("xl/worksheets/sheet"))
    assert b'<c r="E2" s="' in sheet
    assert b"<f>" not in sheet
    assert b"<f " not in sheet


def test_every_rule_is_exercised_by_a_test():
    """Each code in the catalogue appears in at least one test other than this one."""
    here = Path(__file__)
    text = "".join(
        p.read_text(encoding="utf-8") for p in here.parent.glob("test_*.py") if p != here
    )
    used = set(re.findall(r"PE-[A-Z]+-\d{3}", text))
    used |= {c.rule.code for c in Code if f"Code.{c.name}" in text}
    missing = sorted(r.code for r in all_rules() if r.code not in used)
    assert missing == []
