"""Characters XML cannot carry reach every output by one visible rule, and nothing is dropped
(issue 21): a Word soft line break pasted into a department's text used to make the Word report
lose every <, > and & after it."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import docx
import jinja2
import openpyxl
import pandas as pd
import pytest
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup
from python_calamine import CalamineWorkbook

from perfeval import pipeline
from perfeval.errors import ConfigError
from perfeval.machinery.resources import report_templates_dir
from perfeval.render.annotate import write_annotated
from perfeval.render.context import build_context
from perfeval.render.csv_export import write_csv
from perfeval.render.docx_template import ReportTemplate
from perfeval.render.report import DOCX_TEMPLATE, md_escape, word_value, write_docx
from perfeval.render.text import (
    ILLEGAL,
    for_terminal,
    line_breaks,
    visible_text,
    workbook_text,
)
from tests.conftest import Folder, full_fill

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# ASCII markers, stored as Excel stores what they stand for
ESCAPES = {
    "QQVTQQ": "_x000B_",  # a Word soft line break, pasted
    "QQBELQQ": "_x0007_",
    "QQESCQQ": "_x001B_",
    "QQLITQQ": "_x005F_x0041_",  # the seven characters _x0041_, typed
}
WRITTEN = "执行率<90%，QQVTQQR&D经费不足QQBELQQQQESCQQ[2J"
EXPECTED = "执行率<90%，\nR&D经费不足\ufffd\ufffd[2J"
WRITTEN_RAW = "执行率<90%，_x000B_R&D经费不足_x0007__x001B_[2J"  # as openpyxl reads it
AMOUNT = "约5QQBELQQQQESCQQ[2JQQLITQQ"  # not a number: an error quoting the text
AMOUNT_SHOWN = "约5\ufffd\ufffd[2J_x0041_"


def _with_escapes(path: Path) -> None:
    """Replace the markers in the workbook's XML by the escapes Excel writes."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(".xml"):
                for mark, escape in ESCAPES.items():
                    data = data.replace(mark.encode(), escape.encode())
            out.writestr(info, data)
    shutil.move(tmp, path)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """P1 clean, its reason, overview and problem holding the characters; P2 with the same
    problem and an amount that is not a number (so it is sent back annotated)."""
    folder = Folder(tmp_path_factory.mktemp("ctl") / "eval")
    fill = full_fill(folder.framework("P1"), **{"1.1.1": {"reason": WRITTEN}})
    fill.overview = WRITTEN
    fill.problems = [{"category": "C1", "description": WRITTEN, "measure": "加快支出进度"}]
    p1 = folder.fill("P1", fill)
    fill = full_fill(folder.framework("P2"))
    fill.problems = [
        {"category": "C1", "description": WRITTEN, "measure": "加快", "amount": AMOUNT}
    ]
    p2 = folder.fill("P2", fill)
    for path in (p1, p2):
        _with_escapes(path)
    sheet = CalamineWorkbook.from_path(str(p1)).get_sheet_by_name("基本信息").to_python()
    assert any("\x0b" in str(v) for row in sheet for v in row)  # read back as pasted
    for iid in ("D1", "S1"):
        folder.fill(iid)
    outcome = pipeline.do_run(folder.ws.folder)
    return outcome, folder.ws.folder / "输出", p2


def _paragraphs(xml: bytes) -> list[str]:
    """Each paragraph's text, a <w:br/> read as a line break; parsed strictly."""
    root = etree.fromstring(xml)
    return [
        "".join(
            "\n" if el.tag == f"{{{W}}}br" else (el.text or "")
            for el in para.iter(f"{{{W}}}t", f"{{{W}}}br")
        )
        for para in root.iter(f"{{{W}}}p")
    ]


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def test_the_word_report_keeps_every_character(run):
    _, out, _ = run
    xml = _part(out / "工作总结报告.docx", "word/document.xml")
    texts = _paragraphs(xml)
    assert sum(EXPECTED in t for t in texts) >= 2  # the overview and the quoted problem
    assert b"&amp;amp;" not in xml  # escaped once
    assert b"&amp;lt;" not in xml
    body = docx.Document(str(out / "工作总结报告.docx"))
    assert any("R&D经费不足" in p.text for p in body.paragraphs)


def test_the_markdown_and_the_summary_say_the_same(run):
    _, out, _ = run
    md = (out / "工作总结报告.md").read_text(encoding="utf-8")
    assert r"执行率\<90%，" + "\n" + r"R&D经费不足��\[2J" in md
    wb = openpyxl.load_workbook(out / "汇总表.xlsx", read_only=True)
    details = [v for row in wb["指标明细"].iter_rows(values_only=True) for v in row]
    assert EXPECTED in details


def test_the_validation_report_quotes_the_text_visibly(run):
    outcome, out, _ = run
    (finding,) = [f for f in outcome.validation.findings if f.code == "PE-CELL-002"]
    rows = CalamineWorkbook.from_path(str(out / "校验报告.xlsx")).get_sheet_by_name("问题清单")
    (row,) = [r for r in rows.to_python() if "PE-CELL-002" in r]
    assert AMOUNT_SHOWN in row[8]
    assert row[8] == visible_text(finding.message)


def _annotated(run, tmp_path: Path, way: str) -> Path:
    outcome, out, returned = run
    if way == "mark":  # the default: their file, patched
        (copy,) = outcome.returns
        return copy
    if way == "openpyxl":  # their file through openpyxl (identity or locked cells in question)
        found = [f for f in outcome.validation.findings if f.file == returned.name]
        return write_annotated(returned, found, tmp_path / returned.name)
    folder = shutil.copytree(out.parent, tmp_path / "eval")  # issued again with their values
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"mark"', '"reissue"'), encoding="utf-8")
    (copy,) = pipeline.do_validate(folder).returns
    return copy


@pytest.mark.parametrize("way", ["mark", "openpyxl", "reissue"])
def test_the_annotated_copy_shows_the_same(run, tmp_path, way):
    """On every path: our notes show the text by the same rule; their cells hold what they
    wrote, or, issued again, the same rule's text. Cells are read with calamine, which reads
    _xHHHH_ escapes as Excel does; comments with openpyxl, which shows them as stored (Excel
    shows _x005F_x0041_ as the _x0041_ typed)."""
    outcome, _, returned = run
    (finding,) = [f for f in outcome.validation.findings if f.code == "PE-CELL-002"]
    copy = _annotated(run, tmp_path, way)
    book = openpyxl.load_workbook(copy)
    shown = "约5\ufffd\ufffd[2J_x005F_x0041_"
    assert shown in book[finding.sheet][finding.cell].comment.text
    summary = CalamineWorkbook.from_path(str(copy)).get_sheet_by_index(0).to_python()
    assert any(isinstance(v, str) and AMOUNT_SHOWN in v for row in summary for v in row)
    theirs = openpyxl.load_workbook(returned)[finding.sheet]
    (place,) = [c.coordinate for r in theirs.iter_rows() for c in r if c.value == WRITTEN_RAW]
    if way == "reissue":
        sheet = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(finding.sheet)
        cells = sheet.to_python(skip_empty_area=False)
        assert EXPECTED in [v for row in cells for v in row]
    else:
        mine = book[finding.sheet]
        for ours, sent in zip(mine.iter_rows(), theirs.iter_rows(), strict=True):
            assert [c.value for c in ours] == [c.value for c in sent]
        assert mine[place].value == WRITTEN_RAW


def test_the_rule_over_every_code_point_xml_cannot_carry():
    points = [*range(0x21), *range(0x7F, 0xA0), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
    for code in points:
        char = chr(code)
        shown = visible_text(f"a{char}b")
        if char in "\t\n\r" or 0x20 <= code < 0xD800:  # XML 1.0 holds these
            assert shown == f"a{char}b", hex(code)
        elif char in "\x0b\x0c":  # Word's soft line break and page break
            assert shown == "a\nb"
        else:
            assert shown == "a\ufffdb", hex(code)
        assert not ILLEGAL.search(shown)
        assert workbook_text(f"a{char}b") == shown
    assert visible_text("普通文字") == "普通文字"
    assert workbook_text("_x0041_ 与 _x00") == "_x005F_x0041_ 与 _x00"
    assert line_breaks("a\r\nb\rc\n") == "a\nb\nc\n"


def test_the_terminal_gets_no_escape_sequence_control_or_override():
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x202A, 0x202E, 0x2066, 0x2069, 0xD800]:
        shown = for_terminal(f"x{chr(code)}y")
        if chr(code) in "\t\n":
            assert shown == f"x{chr(code)}y"
        elif chr(code) in "\x0b\x0c\r":  # line breaks, as in the reports
            assert shown == "x\ny", hex(code)
        else:
            assert shown == "x\ufffdy", hex(code)
    assert for_terminal("第一行\r\n\t第二行") == "第一行\n\t第二行"
    assert for_terminal("a\u200bb\u4e00") == "a\u200bb\u4e00"  # printable text untouched
    cut = for_terminal("字" * 1000, 10)
    assert cut.startswith("字" * 10)
    assert "1000" in cut
    assert len(cut) < 30
    assert for_terminal("字" * 10, 10) == "字" * 10


def test_markdown_escapes_what_would_change_the_text():
    assert md_escape("甲\r- 乙") == "甲\n\\- 乙"  # a carriage return ends a Markdown line
    assert md_escape("1~2个，&lt;与R&D") == r"1\~2个，\&lt;与R&D"
    assert md_escape("a\x0bb\x07") == "a\nb\ufffd"


def test_word_values_are_cleaned_once_and_escaped_once():
    assert word_value("a\x0bb\x07\r\nc") == "a\nb\ufffd\nc"
    escaped = word_value(Markup("R&amp;D\x0b中心"))  # what {{ x | e }} makes
    assert isinstance(escaped, Markup)
    assert escaped == Markup("R&amp;D\n中心")
    assert word_value(5) == 5


@pytest.fixture(scope="module")
def context(run):
    outcome, _, _ = run
    return build_context(outcome.results)


def _template(tmp_path: Path, edits: dict, extra: dict | None = None) -> Path:
    """The bundled Word template with ``edits`` (part name -> function of its bytes) applied
    and ``extra`` parts added."""
    path = tmp_path / "模板.docx"
    with (
        zipfile.ZipFile(report_templates_dir() / DOCX_TEMPLATE) as z,
        zipfile.ZipFile(path, "w") as out,
    ):
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info, edits.get(info.filename, lambda d: d)(data))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def test_joined_names_keep_every_character(context, tmp_path):
    ctx = {**context, "scope": {**context["scope"], "coverage_low": ["R&D\x0b<中心>", "乙"]}}
    target = write_docx(ctx, report_templates_dir() / DOCX_TEMPLATE, tmp_path / "r.docx")
    texts = _paragraphs(_part(target, "word/document.xml"))
    assert any("R&D\n<中心>、乙" in t for t in texts)


def test_document_properties_keep_the_text(context, tmp_path):
    def title(data: bytes) -> bytes:
        return data.replace("预算绩效评价工作总结报告模板".encode(), b"{{ region }}")

    template = _template(tmp_path, {"docProps/core.xml": title})
    ctx = {**context, "region": "R&D<县>\x0b甲\x07"}
    target = write_docx(ctx, template, tmp_path / "r.docx")
    assert docx.Document(str(target)).core_properties.title == "R&D<县>\n甲\ufffd"
    with pytest.raises(ConfigError) as err:
        write_docx({**context, "region": "长" * 300}, template, tmp_path / "long.docx")
    assert err.value.path == str(template)
    assert not (tmp_path / "long.docx").exists()


FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
    '<w:footnote w:id="1"><w:p><w:r><w:t>{{ region }}{BROKEN}</w:t></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def _with_footnotes(tmp_path: Path, broken: str = "") -> Path:
    """A template of two sections with a footnotes part that prints ``region``."""

    def types(data: bytes) -> bytes:
        override = (
            '<Override PartName="/word/footnotes.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
        )
        return data.replace(b"</Types>", override.encode() + b"</Types>")

    def rels(data: bytes) -> bytes:
        rel = (
            '<Relationship Id="rIdNote" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/footnotes" Target="footnotes.xml"/>'
        )
        return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")

    def two_sections(data: bytes) -> bytes:
        return data.replace(b"<w:body>", b"<w:body><w:p><w:pPr><w:sectPr/></w:pPr></w:p>", 1)

    edits = {
        "[Content_Types].xml": types,
        "word/_rels/document.xml.rels": rels,
        "word/document.xml": two_sections,
    }
    notes = FOOTNOTES.replace("{BROKEN}", broken).encode()
    return _template(tmp_path, edits, {"word/footnotes.xml": notes})


def test_footnotes_are_rendered_once_and_department_text_is_never_a_template(context, tmp_path):
    """docxtpl renders footnotes again for each section: the second time, text rendered into
    them the first time would be run as a template."""
    template = _with_footnotes(tmp_path)
    assert len(docx.Document(str(template)).sections) == 2
    ctx = {**context, "region": "{{ 6 * 7 }}<&>\x0b"}
    target = write_docx(ctx, template, tmp_path / "r.docx")
    notes = _paragraphs(_part(target, "word/footnotes.xml"))
    assert "{{ 6 * 7 }}<&>\n" in notes


@pytest.mark.parametrize(
    ("part", "old", "new"),
    [
        ("word/document.xml", b"<w:body>", b"<w:body>{{ '</w:body>' | safe }}"),
        ("word/footer1.xml", b"</w:ftr>", b"{{ '<w:p>' | safe }}</w:ftr>"),
    ],
)
def test_a_template_that_breaks_the_document_is_refused_not_shortened(
    context, tmp_path, part, old, new
):
    """A template whose tags cut a paragraph in two renders XML that is not well-formed: perfeval
    says so instead of letting a recovering parser drop what it cannot read."""
    broken = _template(tmp_path, {part: lambda data: data.replace(old, new, 1)})
    with pytest.raises(ConfigError) as err:
        write_docx(context, broken, tmp_path / "out.docx")
    assert err.value.path == str(broken)
    assert not (tmp_path / "out.docx").exists()


def test_a_broken_footnote_is_refused(context, tmp_path):
    broken = _with_footnotes(tmp_path, "{{ '</w:t>' | safe }}")
    with pytest.raises(ConfigError):
        write_docx(context, broken, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.parametrize("columns", [1, 3, 5])
def test_a_table_looping_over_columns_gets_docxtpls_grid(tmp_path, columns):
    """The strict parse is the only one unless a table's grid must change; then docxtpl fixes
    it, and the document is the same as plain docxtpl's byte for byte."""
    document = docx.Document()
    cells = document.add_table(rows=1, cols=3).rows[0].cells
    for cell, text in zip(
        cells, ["{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"], strict=True
    ):
        cell.text = text
    template = tmp_path / "columns.docx"
    document.save(str(template))
    written = []
    for kind in (ReportTemplate, DocxTemplate):
        doc = kind(str(template))
        doc.render({"cols": [f"列{n}" for n in range(columns)]}, jinja2.Environment(), True)
        doc.save(str(tmp_path / f"{kind.__name__}.docx"))
        written.append(_part(tmp_path / f"{kind.__name__}.docx", "word/document.xml"))
    assert written[0] == written[1]
    grid = etree.fromstring(written[0]).findall(f".//{{{W}}}gridCol")
    assert len(grid) == max(columns, 1)


def test_csv_shows_the_same(tmp_path):
    frame = pd.DataFrame({"原因": ["执行率<90%，\x0bR&D经费不足\x07\x1b[2J", "普通"]})
    write_csv(tmp_path / "t.csv", frame)
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == [EXPECTED]
