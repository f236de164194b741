"""Annotated copies sent back to departments, and the catalogue's completeness."""

import hashlib
import re
from pathlib import Path

import openpyxl

from perfeval import layout as L
from perfeval import pipeline
from perfeval.check.catalogue import Code, all_rules
from perfeval.render.annotate import SUMMARY_SHEET
from tests.conftest import full_fill, row_of


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
    assert weight.fill.fgColor.rgb.endswith("FFC7CE")
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
