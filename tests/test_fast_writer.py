"""The fast table writers (render/sheet_stream.py, render/csv_export.py): the same cells as
XlsxWriter writes one by one, hostile text kept inert, files that other readers accept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import sys
import unicodedata
import zipfile
from decimal import Decimal
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import range_boundaries
from python_calamine import CalamineWorkbook

from perfeval.render import sheet_stream
from perfeval.render.csv_export import write_csv
from perfeval.render.text import (
    FORMULA_LOOKALIKES,
    FORMULA_STARTS,
    needs_quote_prefix,
    visible_text,
)
from perfeval.render.xlsx_tables import TableFormats, new_workbook, write_cell, write_frame

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
LONG = "长" * 20000 + "x" * 20000  # over Excel's 32,767 characters: truncated, as XlsxWriter does
HOSTILE = [
    "=1+1",
    "@SUM(A1)",
    "+1",
    "-1",
    '  =HYPERLINK("http://x")',  # spaces in front do not disarm it
    "\t=1",
    "＝1＋1",  # full width
    "﹦1",
    "a\x01b\x1fc",  # control characters: shown as U+FFFD
    '&<>"',
    "a_x0041_b",  # looks like Excel's own escape
    "x\r\ny",
    " lead",
    "trail ",
    "\u3000全角空格",
    "",
    "<r>看似富文本</r>",  # XlsxWriter would copy this unescaped
    "\ud800\ufffe坏字符",
    LONG,
]
PLAIN = ["特克斯县民政局", "2024年基准项目00001", "B2 预算编制不科学", "0000001_P1.xlsx!指标!K4"]


def frame(rows: int = 3) -> pd.DataFrame:
    """Every kind of value write_cell handles, hostile text in its own column."""
    text = (HOSTILE * (rows // len(HOSTILE) + 1))[:rows]
    plain = (PLAIN * (rows // len(PLAIN) + 1))[:rows]
    numbers = [Decimal("97.17"), Decimal("3.00"), None, Decimal("-0.5"), Decimal("1E+2")]
    mixed = [1.5, math.nan, 0.1 + 0.2, 1e-7, 12345678.9]
    cycle = lambda xs: [xs[n % len(xs)] for n in range(rows)]  # noqa: E731
    return pd.DataFrame(
        {
            "文本": text,
            "名称": plain,
            "金额": pd.Series(cycle(numbers), dtype=object),
            "比率": cycle(mixed),
            "个数": [n * 7 for n in range(rows)],
            "是否": cycle([True, False]),
            "日期": cycle([dt.date(2024, 3, 5), dt.datetime(2024, 12, 31, 18, 30)]),
            "杂项": pd.Series(cycle(["文字", Decimal("2"), None, 3, 2.5]), dtype=object),
        }
    )


def sheet_cells(path, index: int) -> dict[str, tuple]:
    """ref -> (style, type, value) from a sheet part; numbers as floats, text as stored."""
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read(f"xl/worksheets/sheet{index}.xml"))
    out = {}
    for c in root.iterfind(".//m:sheetData/m:row/m:c", NS):
        t = c.get("t")
        if t == "inlineStr":
            value = "".join(x.text or "" for x in c.iterfind(".//m:t", NS))
        elif c.find("m:v", NS) is not None:  # XlsxWriter writes 16 digits, the stream all 17
            value = float(f"{float(c.find('m:v', NS).text):.15g}")
        else:
            value = None
        out[c.get("r")] = (c.get("s"), t, value)
    return out


def test_streamed_rows_are_the_cells_xlsxwriter_writes(tmp_path):
    df = frame(len(HOSTILE) * 2)
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    f = TableFormats(wb)
    ws = write_frame(wb, "快", df, f)
    assert isinstance(ws, sheet_stream.TableSheet)
    slow = wb.add_worksheet("慢")  # a plain worksheet, cell by cell through XlsxWriter
    for c, label in enumerate(df.columns):
        slow.write_string(0, c, label, f.header)
    for r, record in enumerate(df.itertuples(index=False), start=1):
        for c, value in enumerate(record):
            write_cell(slow, r, c, value, f)
    wb.close()
    fast, ref = sheet_cells(path, 1), sheet_cells(path, 2)
    assert fast.keys() == ref.keys()
    assert fast == ref
    book = openpyxl.load_workbook(path)
    assert book["快"]["D4"].value == 0.1 + 0.2  # the exact double
    rich = HOSTILE.index("<r>看似富文本</r>") + 2  # write_cell hands it over as rich text
    assert book["快"][f"A{rich}"].value == book["慢"][f"A{rich}"].value == "<r>看似富文本</r>"


def test_hostile_text_reads_back_as_text(tmp_path):
    df = frame(len(HOSTILE))
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    write_frame(wb, "表", df, TableFormats(wb), title="标题")
    wb.close()
    expected = [visible_text(t)[:32767] for t in HOSTILE]
    assert expected[8] == "a\ufffdb\ufffdc"
    assert expected[17] == "\ufffd\ufffd坏字符"
    ws = openpyxl.load_workbook(path)["表"]
    cells = [ws.cell(row=n + 3, column=1) for n in range(len(HOSTILE))]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [n < 8 for n in range(len(HOSTILE))]
    # openpyxl does not undo Excel's _xHHHH_ escapes in inline strings; calamine does
    openpyxl_sees = [
        t.replace("_x0041_", "_x005F_x0041_").replace("\r", "_x000D_") for t in expected
    ]
    assert [c.value or "" for c in cells] == openpyxl_sees
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表").to_python()
    assert [r[0] for r in rows[2 : 2 + len(HOSTILE)]] == expected


def test_values_types_and_number_formats(tmp_path):
    df = frame(10)
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    write_frame(wb, "表", df, TableFormats(wb), totals={"金额": Decimal("200.67")})
    wb.close()
    ws = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in ws[1]] == list(df.columns)
    assert (ws["C2"].value, ws["C2"].number_format) == (97.17, "#,##0.00")
    assert (ws["C3"].value, ws["C5"].value, ws["C6"].value) == (3, -0.5, 100)
    assert ws["C4"].value is None
    assert ws["C4"].border.left.style == "thin"
    assert ws["D3"].value is None  # NaN: an empty, bordered cell
    assert ws["D4"].value == 0.1 + 0.2  # the exact double
    assert (ws["E3"].value, ws["E3"].number_format) == (7, "#,##0")
    assert (ws["F2"].value, ws["F3"].value) == ("是", "否")
    assert (ws["G2"].value, ws["G2"].number_format) == (dt.datetime(2024, 3, 5), "yyyy-mm-dd")
    assert ws["G3"].value == dt.datetime(2024, 12, 31)  # the date part, as before
    assert [ws[f"H{n}"].value for n in range(2, 7)] == ["文字", 2, None, 3, 2.5]
    assert (ws["A12"].value, ws["C12"].value) == ("合计", 200.67)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H11"
    assert ws.dimensions == "A1:H12"
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表").to_python()
    assert calamine[1][:3] == ["=1+1", "特克斯县民政局", 97.17]
    assert len(calamine) == 12


def test_chunks_and_the_rows_around_them(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_stream, "CHUNK", 7)
    df = frame(50)
    df.loc[23, "名称"] = "=危险"  # one batch takes the careful path, the others the plain one
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    write_frame(wb, "表", df, TableFormats(wb), title="标题", totals={"个数": 8575})
    wb.close()
    ws = openpyxl.load_workbook(path)["表"]
    assert (ws["A1"].value, ws["A2"].value) == ("标题", "文本")
    assert [ws.cell(row=n + 3, column=5).value for n in range(50)] == [n * 7 for n in range(50)]
    assert (ws["B26"].value, ws["B26"].quotePrefix, ws["B25"].quotePrefix) == ("=危险", True, False)
    assert (ws["A53"].value, ws["E53"].value) == ("合计", 8575)
    assert (ws.max_row, ws.auto_filter.ref) == (53, "A2:H52")


def test_rows_beyond_excel_are_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_stream, "MAX_ROWS", 6)
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("表", worksheet_class=sheet_stream.TableSheet)
    ws.write_string(0, 0, "头")
    assert ws.stream_rows(1, frame(10), TableFormats(wb)) == 5
    wb.close()
    assert openpyxl.load_workbook(path)["表"].max_row == 6


def test_summary_charts_point_at_sheets_that_exist(tmp_path):
    from perfeval import pipeline

    folder = pipeline.prepare_demo(tmp_path / "demo")
    summary = next(p for p in pipeline.do_aggregate(folder).outputs if p.name == "汇总表.xlsx")
    with zipfile.ZipFile(summary) as zf:
        assert zf.testzip() is None
        names = set(re.findall(r'<sheet name="([^"]+)"', zf.read("xl/workbook.xml").decode()))
        refs = [
            ref
            for n in zf.namelist()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)
            for ref in re.findall(r"<c:f>([^<]+)</c:f>", zf.read(n).decode())
        ]
    assert refs
    book = openpyxl.load_workbook(summary)
    for ref in refs:
        sheet, cells = ref.split("!")
        assert sheet.strip("'") in names
        left, top, right, bottom = range_boundaries(cells.replace("$", ""))
        data = book[sheet.strip("'")]
        rows = data.iter_rows(top, bottom, left, right, values_only=True)
        values = [v for row in rows for v in row]
        assert data.cell(1, left).value, ref  # a column of the data, under its header
        if left == 1 or "项目个数" in data.cell(1, left).value:  # categories, counts: all there
            assert all(v is not None for v in values), ref  # (a grade's series: its items')


def test_formula_lookalikes_are_every_character_nfkc_maps_to_a_formula_start():
    found = {
        chr(c)
        for c in range(128, sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.normalize("NFKC", chr(c)) in FORMULA_STARTS
    }
    assert found == set(FORMULA_LOOKALIKES)


def old_needs_quote_prefix(text: str) -> bool:
    head = text.lstrip(" ")[:1]
    if head in FORMULA_STARTS and head:
        return True
    return bool(head) and ord(head) > 127 and unicodedata.normalize("NFKC", head) in FORMULA_STARTS


@pytest.mark.parametrize("text", [*HOSTILE, *PLAIN, "   ", " ", "a=b", "\n=", "\x00x", "⁺1"])
def test_quote_prefix_rule_unchanged(text):
    assert needs_quote_prefix(text) == old_needs_quote_prefix(text)


def old_csv(df: pd.DataFrame) -> str:
    """write_csv before it was made fast (csv module, value by value), NaN as empty."""
    from perfeval.render.text import visible_text

    def value(v):
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if type(v) is str:
            text = visible_text(v)
            return "'" + text if old_needs_quote_prefix(text) else text
        return v

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(df.columns)
    w.writerows([value(v) for v in row] for row in df.itertuples(index=False))
    return out.getvalue()


def test_csv_matches_the_csv_module(tmp_path, monkeypatch):
    monkeypatch.setattr("perfeval.render.csv_export.CHUNK", 9)
    df = frame(60)
    df["引号"] = ['说"明",含逗号', "多行\n文本", "普通", "-5"] * 15
    path = tmp_path / "明细.csv"
    write_csv(path, df)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig") == old_csv(df)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert (rows[1][0], rows[4][0], rows[1][1]) == ("'=1+1", "'-1", "特克斯县民政局")
    assert rows[1][-1] == '说"明",含逗号'


def test_csv_from_rows_made_on_demand(tmp_path):
    df = frame(25)

    class Rows:
        columns = tuple(df.columns)

        def __iter__(self):
            return df.itertuples(index=False, name=None)

    write_csv(tmp_path / "a.csv", Rows())
    write_csv(tmp_path / "b.csv", df)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_csv_single_column_keeps_empty_rows(tmp_path):
    df = pd.DataFrame({"说明": ["a", "", None, "=x"]})
    write_csv(tmp_path / "a.csv", df)
    text = (tmp_path / "a.csv").read_bytes().decode("utf-8-sig")
    assert text == '说明\r\na\r\n""\r\n""\r\n\'=x\r\n'
    assert text == old_csv(df)


def test_an_infinite_number_stops_the_write_instead_of_corrupting_the_sheet(tmp_path):
    wb = new_workbook(tmp_path / "t.xlsx")
    with pytest.raises(ValueError, match="数值无效"):
        write_frame(wb, "表", pd.DataFrame({"比率": [1.0, math.inf]}), TableFormats(wb))
    wb.close()  # releases XlsxWriter's temporary files


def test_workbooks_are_deflated_faster_and_xlsxwriter_is_left_as_it_was(tmp_path):
    import xlsxwriter.workbook

    made = xlsxwriter.workbook.ZipFile
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path)
    write_frame(wb, "表", frame(40), TableFormats(wb))
    wb.close()
    assert xlsxwriter.workbook.ZipFile is made
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}


def test_detail_lines_are_the_rows_written_value_by_value(tmp_path, monkeypatch):
    """指标明细 formats itself (DetailRows.lines, repeating parts once): the same bytes as its
    rows written value by value, with odd answers and file names that need quoting."""
    import dataclasses
    from types import SimpleNamespace

    from perfeval import pipeline
    from perfeval.aggregate import detail_rows

    outcome = pipeline.do_aggregate(pipeline.prepare_demo(tmp_path / "demo"))
    real = detail_rows.iter_indicators
    odd = ["=1+1", '说"明",含逗号', "多行\n文本", None, "-5", " @x", "普通", "\x00坏", ""]

    def varied(score):
        position = next(n for n, i in enumerate(items) if i is score)
        for n, (ind, value, _, _, _, row) in enumerate(real(score)):
            if n % 7 == 3:  # a unit's own indicator, named and weighted (3 or 3.0) by the unit
                weight = Decimal("3.0") if position % 2 else Decimal(3)
                ind = dataclasses.replace(ind, custom=True, name="自设", weight=weight)
            yield ind, value, odd[n % 9], odd[(n + 3) % 9], odd[(n + 5) % 9], row

    monkeypatch.setattr(detail_rows, "iter_indicators", varied)
    items = [
        dataclasses.replace(i, file=f"{n},{i.file}") if n % 2 else i
        for n, i in enumerate(outcome.results.items)
    ]
    rows = detail_rows.DetailRows(SimpleNamespace(items=items))

    class Plain:  # the same rows, without lines(): written column by column
        columns = rows.columns

        def __iter__(self):
            return iter(rows)

    write_csv(tmp_path / "fast.csv", rows)
    write_csv(tmp_path / "plain.csv", Plain())
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == (tmp_path / "plain.csv").read_bytes()
    read = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"))))
    assert len(read) == len(rows) + 1
    assert {r[7] for r in read[1:]} == {"是", "否"}
    assert any(r[-1].startswith("1,") for r in read[1:])  # a file name with a comma


def test_detail_rows_sent_to_the_helper_write_the_same_file(tmp_path):
    """Pickled for the helper process, 指标明细 carries the packed rows, not the results, and
    writes the same bytes."""
    import pickle

    from perfeval import pipeline
    from perfeval.aggregate import detail_rows

    outcome = pipeline.do_aggregate(pipeline.prepare_demo(tmp_path / "demo"))
    rows = detail_rows.DetailRows(outcome.results)
    data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"ItemScore" not in data
    assert b"RosterItem" not in data
    copy = pickle.loads(data)
    assert len(copy) == len(rows)
    write_csv(tmp_path / "here.csv", rows)
    write_csv(tmp_path / "sent.csv", copy)
    assert (tmp_path / "sent.csv").read_bytes() == (tmp_path / "here.csv").read_bytes()
    assert len(rows) > 0
