"""Annotated copies sent back to departments, and the catalogue's completeness."""

import hashlib
import io
import posixpath
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

from perfeval import layout as L
from perfeval import pipeline
from perfeval.check.catalogue import Code, Finding, Severity, all_rules
from perfeval.config.settings import load_settings
from perfeval.errors import ConfigError
from perfeval.issue.info_sheet import NARRATIVE_HINTS
from perfeval.render import returns
from perfeval.render.annotate import SUMMARY_SHEET
from perfeval.render.patch import patch_annotated
from tests.conftest import full_fill, row_of

LIBREOFFICE = Path(__file__).parent / "data" / "libreoffice"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


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


def assert_notes_drawn(copy: Path) -> None:
    """Each sheet's comments have one note shape each in its VML drawing, with unique ids; the
    parts are well-formed XML (as the ones they came from are)."""
    with zipfile.ZipFile(copy) as z:
        for rels in (n for n in z.namelist() if n.startswith("xl/worksheets/_rels/")):
            parts = {}
            for rel in etree.fromstring(z.read(rels)):
                target = rel.get("Target")
                name = target[1:] if target.startswith("/") else f"xl/worksheets/{target}"
                parts[rel.get("Type").rsplit("/", 1)[1]] = posixpath.normpath(name)
            if "comments" not in parts:
                continue
            comments = etree.fromstring(z.read(parts["comments"]))
            vml = z.read(parts["vmlDrawing"])
            etree.fromstring(vml)
            shapes = re.findall(rb"<(?:[\w.-]+:)?shape\b", vml)
            assert len(shapes) == len(comments.findall(".//{*}comment"))
            ids = re.findall(rb'\sid="_x0000_s(\d+)"', vml)
            assert len(ids) == len(set(ids))


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
    listed = [(r[0], r[1], r[2]) for r in wb[SUMMARY_SHEET].iter_rows(min_row=3, values_only=True)]
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
    link = wb[SUMMARY_SHEET]["B3"].hyperlink
    assert (link.location, link.target) == (f"{L.SHEET_INDICATORS}!{mine[0].cell}", None)
    # the department's text stays inert in the copy; its identity sheet is still there
    assert ind[f"J{row_of(fw, '1.1.2')}"].data_type == "s"
    assert wb[L.SHEET_IDENTITY].sheet_state == "veryHidden"


def test_the_copy_is_made_from_the_bytes_that_were_checked(folder, tmp_path):
    """The worker hands over the file as read: the copy is the same
    as one made from the file on disk, and stays so when the file changes after it was read."""
    from perfeval.check.workbook import check_file
    from perfeval.read.submission import read_submission

    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    read = read_submission(bad, bad.name, 10**8, 10**9)
    outcome = check_file(read, folder.ws)
    assert read.data is not None
    assert read.data == bad.read_bytes()
    args, out = (read.submission, outcome, folder.ws), tmp_path / "copies"
    from_disk = returns.write_return(bad, *args, out / "disk.xlsx")
    folder.fill("P1", full_fill(fw))  # corrected after the check, before the copy
    from_read = returns.write_return(bad, *args, out / "read.xlsx", read.data)
    assert from_read.read_bytes() == from_disk.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["disk.xlsx", "read.xlsx"]


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
    assert summary.freeze_panes == "A3"
    assert summary["A1"].value.startswith("以下是本工作簿校验发现的1个问题")  # what to do
    assert summary["A2"].font.b
    assert summary["A2"].fill.fgColor.rgb.endswith("D9E1F2")
    assert summary["B3"].font.u == "single"
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


def test_a_sheet_with_their_comments_gets_ours_merged(folder, tmp_path):
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    wb = openpyxl.load_workbook(bad)
    wb[L.SHEET_INDICATORS]["A4"].comment = Comment("单位自己的批注", "单位")
    wb.save(bad)
    outcome = pipeline.do_validate(folder.ws.folder)
    mine = [f for f in outcome.validation.findings if f.file == bad.name]
    copy = patch_annotated(bad.read_bytes(), mine, tmp_path / "x.xlsx")
    assert copy is not None
    wb = openpyxl.load_workbook(copy)
    ind = wb[L.SHEET_INDICATORS]
    score = ind[f"K{row_of(fw, '1.1.1')}"]
    assert score.coordinate in red_cells(ind)
    assert "超出0至3分的范围" in score.comment.text
    assert (ind["A4"].comment.text, ind["A4"].comment.author) == ("单位自己的批注", "单位")
    assert_notes_drawn(copy)


def test_threaded_comments_fall_back_to_a_correct_copy(folder, tmp_path):
    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    threaded = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
    rels = "xl/worksheets/_rels/sheet3.xml.rels"  # the 指标 sheet
    with zipfile.ZipFile(bad) as src:
        assert rels not in src.namelist()
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts[rels] = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{threaded}" '
        'Target="../threadedComments/threadedComment1.xml"/></Relationships>'
    ).encode()
    parts["xl/threadedComments/threadedComment1.xml"] = b"<ThreadedComments/>"
    with zipfile.ZipFile(bad, "w") as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
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
    assert rows[2][:4] == [L.SHEET_INDICATORS, "K5", "PE-SCORE-001", "错误"]


def no_slow_path(monkeypatch) -> None:
    """The annotated copy must come from the fast path (the workers are forked: they see this)."""

    def slow(*args, **kwargs):
        raise AssertionError("slow path taken")

    monkeypatch.setattr(returns, "write_annotated", slow)
    monkeypatch.setattr(returns, "issue_workbook", slow)


def test_a_finding_on_the_info_sheet_keeps_the_template_hint(folder, monkeypatch, tmp_path):
    """基本信息 has the template's hints as comments: ours go into them, the hint below ours."""
    fw = folder.framework("P1")
    fill = full_fill(fw)
    fill.overview = ""
    bad = folder.fill("P1", fill)
    no_slow_path(monkeypatch)
    outcome = pipeline.do_validate(folder.ws.folder)
    mine = [f for f in outcome.validation.findings if f.file == bad.name]
    assert [(f.sheet, f.cell, f.code) for f in mine] == [(L.SHEET_INFO, "B38", "PE-CELL-001")]
    assert patch_annotated(bad.read_bytes(), mine, tmp_path / "x.xlsx") is not None
    (copy,) = outcome.returns
    theirs = openpyxl.load_workbook(bad)[L.SHEET_INFO]
    wb = openpyxl.load_workbook(copy)
    info = wb[L.SHEET_INFO]
    assert red_cells(info) == {"B38"}
    note = info["B38"].comment
    assert note.author == "perfeval"
    assert (
        note.text == f"【错误】{mine[0].message}\n{mine[0].hint}\n\n{NARRATIVE_HINTS['overview']}"
    )
    assert info["B39"].comment.text == theirs["B39"].comment.text == NARRATIVE_HINTS["outputs"]
    assert info["B39"].comment.author == theirs["B39"].comment.author
    assert_notes_drawn(copy)
    book = CalamineWorkbook.from_path(str(copy))
    assert book.sheet_names[0] == SUMMARY_SHEET
    assert book.get_sheet_by_name(SUMMARY_SHEET).to_python()[2][:3] == [
        L.SHEET_INFO,
        "B38",
        "PE-CELL-001",
    ]
    # a finding on a cell without a comment gets its own, in the same drawing
    found = [*mine, Finding("PE-X-001", Severity.ERROR, bad.name, L.SHEET_INFO, "B45", "缺", "")]
    copy = patch_annotated(bad.read_bytes(), found, tmp_path / "y.xlsx")
    info = openpyxl.load_workbook(copy)[L.SHEET_INFO]
    assert red_cells(info) == {"B38", "B45"}
    assert info["B45"].comment.text == "【错误】缺\n"
    assert NARRATIVE_HINTS["overview"] in info["B38"].comment.text
    assert_notes_drawn(copy)


def test_an_info_sheet_saved_by_libreoffice_keeps_its_hints(folder, monkeypatch):
    """A version 1 workbook (no 年初预算数 column): still read, its cells as they are."""
    src = zipfile.ZipFile(LIBREOFFICE / "P2.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # 项目概述 (B37) emptied
            body = src.read(info).replace(
                b'<c r="B37" s="18" t="s"><v>68</v></c>', b'<c r="B37" s="18"/>'
            )
            dst.writestr(info, body)
    bad = folder.returned / "P2.xlsx"
    bad.write_bytes(out.getvalue())
    no_slow_path(monkeypatch)
    outcome = pipeline.do_validate(folder.ws.folder)
    mine = [f for f in outcome.validation.findings if f.file == bad.name]
    assert [f.key for f in mine] == [(bad.name, L.SHEET_INFO, "B37", "PE-CELL-001")]
    (copy,) = outcome.returns
    assert "xl/comments2.xml" not in unchanged_parts(copy, bad)
    theirs = openpyxl.load_workbook(bad)[L.SHEET_INFO]
    info = openpyxl.load_workbook(copy)[L.SHEET_INFO]
    assert red_cells(info) == {"B37"}
    note = info["B37"].comment
    assert note.text.startswith(f"【错误】{mine[0].message}\n{mine[0].hint}\n\n")
    assert note.text.endswith(NARRATIVE_HINTS["overview"])
    assert note.author == "perfeval"
    assert info["B38"].comment.text == theirs["B38"].comment.text == NARRATIVE_HINTS["outputs"]
    assert_notes_drawn(copy)
    with zipfile.ZipFile(copy) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml")
    assert b'<o:idmap v:ext="edit" data="1"/>' in vml  # their drawing had no id block
    rows = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(SUMMARY_SHEET).to_python()
    assert rows[2][:3] == [L.SHEET_INFO, "B37", "PE-CELL-001"]


EXCEL_VML = """<xml xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel">
 <o:shapelayout v:ext="edit">
  <o:idmap v:ext="edit" data="1"/>
 </o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"
  path="m,l,21600r21600,l21600,xe">
  <v:stroke joinstyle="miter"/>
  <v:path gradientshapeok="t" o:connecttype="rect"/>
 </v:shapetype>{notes}<v:shape id="Button_x0020_1" o:spid="_x0000_s1030" type="#_x0000_t201"
  style='position:absolute;margin-left:20pt;margin-top:2pt;width:48pt;height:18pt;z-index:3'>
  <v:textbox style='mso-direction-alt:auto' o:singleclick="f">
   <div style='text-align:center'><font face="Calibri" size="220">按钮<br>1</font></div>
  </v:textbox>
  <x:ClientData ObjectType="Button">
   <x:Anchor>
    1, 2, 40, 2, 2, 10, 40, 20</x:Anchor>
  </x:ClientData>
 </v:shape></xml>"""
EXCEL_NOTE = """<v:shape id="_x0000_s{id}" type="#_x0000_t202" style='position:absolute;
  margin-left:107.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:1;
  visibility:hidden' fillcolor="#ffffe1" o:insetmode="auto">
  <v:fill color2="#ffffe1"/>
  <v:shadow on="t" color="black" obscured="t"/>
  <v:path o:connecttype="none"/>
  <v:textbox style='mso-direction-alt:auto'>
   <div style='text-align:left'></div>
  </v:textbox>
  <x:ClientData ObjectType="Note">
   <x:MoveWithCells/>
   <x:SizeWithCells/>
   <x:Anchor>
    2, 15, {row}, 2, 4, 15, {bottom}, 16</x:Anchor>
   <x:AutoFill>False</x:AutoFill>
   <x:Row>{row}</x:Row>
   <x:Column>1</x:Column>
  </x:ClientData>
 </v:shape>"""


def test_a_drawing_as_excel_writes_it_is_merged_as_text(folder, tmp_path):
    """Excel's VML (single quotes, line breaks in attributes, a control with o:spid and an
    unclosed <br>, which lxml refuses) gets a shape per new note and keeps all it had."""
    bad = folder.fill("P1")
    notes = "".join(EXCEL_NOTE.format(id=1025 + n, row=37 + n, bottom=41 + n) for n in (0, 1))
    excel = EXCEL_VML.format(notes=notes).encode()
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(excel)
    with zipfile.ZipFile(bad) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    rels = parts["xl/worksheets/_rels/sheet2.xml.rels"].decode()  # 基本信息
    (vml,) = (
        posixpath.normpath(posixpath.join("xl/worksheets", t))
        for t in re.findall(r'Target="([^"]+\.vml)"', rels)
    )
    parts[vml.lstrip("/")] = excel
    with zipfile.ZipFile(bad, "w") as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
    found = [
        Finding("PE-X-001", Severity.ERROR, bad.name, L.SHEET_INFO, cell, f"{cell}有误", "请改正")
        for cell in ("B38", "B45")
    ]
    copy = patch_annotated(bad.read_bytes(), found, tmp_path / "copy.xlsx")
    assert copy is not None
    with zipfile.ZipFile(copy) as z:
        out = z.read(vml.lstrip("/")).decode()
    button = excel.decode()[excel.index(b'<v:shape id="Button') :]
    assert button.replace("</xml>", "") in out  # kept as it was
    assert EXCEL_NOTE.format(id=1026, row=38, bottom=42) in out  # B39: not ours, untouched
    assert out.count("<v:shape ") == 4
    assert out.count("<v:shapetype ") == 1
    b37 = out.split("<v:shape ")[1]
    assert "width:270pt" in b37  # made to fit our text
    assert "2, 15, 37, 2, 4, 15, 41, 16" not in b37
    new = out.split("<v:shape ")[4]  # after the button: its o:spid counts
    assert new.startswith('id="_x0000_s1031"')
    assert "<x:Row>44</x:Row>" in new
    info = openpyxl.load_workbook(copy)[L.SHEET_INFO]
    assert info["B38"].comment.text.endswith(NARRATIVE_HINTS["overview"])
    assert info["B45"].comment.text.startswith("【错误】B45有误")
    assert red_cells(info) == {"B38", "B45"}


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
    rows = list(summary.iter_rows(min_row=3, values_only=True))
    assert rows[0][4:] == (evil, "+1\ufffd")  # a character XML cannot carry: shown, not dropped
    assert rows[1][1:] == ("A1", "PE-X-002", "警告", "－1", "@x")
    for cell in (summary["E3"], summary["F3"], summary["E4"], summary["F4"]):
        assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert summary["B4"].hyperlink is None  # its sheet does not exist: listed, not linked
    assert rows[2][:2] == (None, None)
    assert "=HYPERLINK" in wb[L.SHEET_INDICATORS]["J5"].comment.text
    with zipfile.ZipFile(copy) as z, zipfile.ZipFile(bad) as theirs:
        new = [n for n in z.namelist() if n not in theirs.namelist()]
        (sheet,) = (z.read(n) for n in new if n.startswith("xl/worksheets/sheet"))
    assert b'<c r="E3" s="' in sheet
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
