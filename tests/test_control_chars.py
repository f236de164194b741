"""Characters XML cannot carry reach every output by one visible rule, and nothing is dropped
(issue 21): a Word soft line break pasted into a department's text used to make the Word report
lose every <, > and & after it."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree
from python_calamine import CalamineWorkbook

from perfeval import pipeline
from perfeval.errors import ConfigError
from perfeval.render.report import DOCX_TEMPLATE, write_docx
from perfeval.render.text import ILLEGAL, for_terminal, visible_text
from perfeval.resources import report_templates_dir
from tests.conftest import full_fill

MARK_VT, MARK_BEL, MARK_ESC = "QQVTQQ", "QQBELQQ", "QQESCQQ"  # ASCII: stored as written
WRITTEN = f"执行率<90%，{MARK_VT}R&D经费不足{MARK_BEL}{MARK_ESC}[2J"
EXPECTED = "执行率<90%，\nR&D经费不足\ufffd\ufffd[2J"


def _with_escapes(path: Path) -> None:
    """Store the markers as Excel stores pasted control characters: _x000B_ and the like."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(".xml"):
                for mark, escape in ((MARK_VT, "_x000B_"), (MARK_BEL, "_x0007_")):
                    data = data.replace(mark.encode(), escape.encode())
                data = data.replace(MARK_ESC.encode(), b"_x001B_")
            out.writestr(info, data)
    shutil.move(tmp, path)


@pytest.fixture
def reported(folder):
    fill = full_fill(folder.framework("P1"), **{"1.1.1": {"reason": WRITTEN}})
    fill.overview = WRITTEN
    fill.problems = [{"category": "C1", "description": WRITTEN, "measure": "加快支出进度"}]
    path = folder.fill("P1", fill)
    _with_escapes(path)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("基本信息").to_python()
    assert any("\x0b" in str(v) for row in sheet for v in row)  # read back as pasted
    for iid in ("P2", "D1", "S1"):
        folder.fill(iid)
    pipeline.do_run(folder.ws.folder)
    return folder.ws.folder / "输出"


def test_the_word_report_keeps_every_character(reported):
    with zipfile.ZipFile(reported / "工作总结报告.docx") as z:
        xml = z.read("word/document.xml")
    root = etree.fromstring(xml)  # strictly: a well-formed document
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    for para in root.iterfind(".//w:p", ns):
        text = "".join(
            "\n" if el.tag.endswith("}br") else (el.text or "")
            for el in para.iter()
            if el.tag.endswith(("}t", "}br"))
        )
        if "执行率<90%" in text:
            assert EXPECTED in text
            break
    else:
        raise AssertionError("the overview is not in the Word report")
    body = Document(str(reported / "工作总结报告.docx"))
    assert any("R&D经费不足" in p.text for p in body.paragraphs)


def test_the_markdown_and_the_summary_say_the_same(reported):
    md = (reported / "工作总结报告.md").read_text(encoding="utf-8")
    assert r"执行率\<90%，" + "\n" + "R&D经费不足\ufffd\ufffd[2J" in md.replace("\\[", "[")
    wb = openpyxl.load_workbook(reported / "汇总表.xlsx", read_only=True)
    details = [v for row in wb["指标明细"].iter_rows(values_only=True) for v in row]
    assert EXPECTED in details


def test_the_rule_over_every_code_point_xml_cannot_carry():
    for code in [*range(0x20), *range(0xD800, 0xE000, 0x3F), 0xFFFE, 0xFFFF]:
        char = chr(code)
        shown = visible_text(f"a{char}b")
        if char in "\t\n\r":
            assert shown == f"a{char}b"
        elif char in "\x0b\x0c":
            assert shown == "a\nb"
        else:
            assert shown == "a\ufffdb", hex(code)
        assert not ILLEGAL.search(shown)
    assert visible_text("普通文字") == "普通文字"


def test_the_terminal_gets_no_escape_sequence_control_or_override():
    for code in [0x1B, 0x07, 0x7F, 0x85, 0x9B, 0x202E, 0x2066]:
        assert for_terminal(f"x{chr(code)}y") == "x\ufffdy", hex(code)
    assert for_terminal("第一行\n\t第二行") == "第一行\n\t第二行"
    cut = for_terminal("字" * 1000, 10)
    assert cut.startswith("字" * 10)
    assert "1000" in cut
    assert len(cut) < 30


def test_a_template_that_breaks_the_document_is_refused_not_shortened(tmp_path, folder):
    """A template whose tags cut a paragraph in two renders XML that is not well-formed: perfeval
    says so instead of letting a recovering parser drop what it cannot read."""
    for iid in folder.issued:
        folder.fill(iid)
    outcome = pipeline.do_aggregate(folder.ws.folder)
    from perfeval.render.context import build_context

    src = report_templates_dir() / DOCX_TEMPLATE
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(broken, "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>{{ '</w:body>' | safe }}", 1)
            out.writestr(info, data)
    with pytest.raises(ConfigError) as err:
        write_docx(build_context(outcome.results), broken, tmp_path / "out.docx")
    assert err.value.path == str(broken)
    assert not (tmp_path / "out.docx").exists()
