"""The workbooks perfeval writes for people, read back with openpyxl."""

import os
import re
import time
import zipfile

import openpyxl
import pytest

from perfeval import pipeline
from perfeval.errors import OutputError
from perfeval.machinery.atomic import atomic_path
from tests.conftest import full_fill


def rows(path, sheet):
    """The rows under the header: the first full row (below a title, a note)."""
    ws = openpyxl.load_workbook(path)[sheet]
    data = list(ws.iter_rows(values_only=True))
    header_row = next(n for n, r in enumerate(data, 1) if all(v is not None for v in r))
    header = data[header_row - 1]
    return [dict(zip(header, r, strict=True)) for r in data[header_row:]]


@pytest.mark.parametrize("large", [False, True])
def test_validation_report_lists_every_finding(folder, monkeypatch, caplog, large):
    """``large``: as in a process too large to fork, the report's tables are sent to the
    helper process and written there."""
    import perfeval.machinery.aside

    sent = []
    if large:
        if not perfeval.machinery.aside.can_fork():
            pytest.skip("no fork, no helper")
        perfeval.machinery.aside.start_helper()
        helper = perfeval.machinery.aside._HELPER[os.getpid()]
        for _ in range(600):
            if helper.free():
                break
            time.sleep(0.05)
        monkeypatch.setattr(perfeval.machinery.aside, "ASIDE_MAX_MB", 0)
        real = perfeval.machinery.aside._Helper.send
        monkeypatch.setattr(
            perfeval.machinery.aside._Helper, "send", lambda h, a: sent.append(a.work) or real(h, a)
        )
    fw = folder.framework("P1")
    folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    folder.fill("P2")
    outcome = pipeline.do_validate(folder.ws.folder)
    assert sent == ([pipeline.write_validation_report] if large else [])
    assert not [r for r in caplog.records if r.name == "perfeval.machinery.aside"]  # not done twice
    report = outcome.outputs[0]
    listed = rows(report, "问题清单")
    assert [(r["文件"], r["工作表"], r["单元格"], r["代码"]) for r in listed] == [
        f.key for f in outcome.validation.findings
    ]
    p1 = next(r for r in listed if r["代码"] == "PE-SCORE-001")
    assert (p1["项目编号"], p1["实施单位"], p1["级别"]) == ("P1", "测试县民政局", "错误")
    files = {r["文件"]: r for r in rows(report, "文件汇总")}
    assert len(files) == 2
    assert {r["状态"] for r in files.values()} == {"通过", "需退回修改"}
    for name, row in files.items():
        mine = [f for f in outcome.validation.findings if f.file == name]
        assert row["错误"] == sum(1 for f in mine if str(f.severity) == "错误")
        assert row["警告"] == sum(1 for f in mine if str(f.severity) == "警告")
    assert sum(r["错误"] for r in files.values()) >= 1


@pytest.mark.parametrize(
    ("broken", "run", "written"),
    [
        ("aggregate", "do_aggregate", [pipeline.VALIDATION_REPORT]),
        ("build_context", "do_run", [pipeline.VALIDATION_REPORT, pipeline.SUMMARY]),
    ],
)
def test_outputs_written_beside_a_failing_step_are_complete(
    folder, monkeypatch, broken, run, written
):
    """校验报告 is written beside the aggregation, 汇总表 beside the report: when that step
    fails they are still whole, and no temporary file is left behind."""
    folder.fill("P1")

    def fail(*args, **kwargs):
        raise RuntimeError(f"{broken} failed")

    monkeypatch.setattr(pipeline, broken, fail)
    with pytest.raises(RuntimeError, match="failed"):
        getattr(pipeline, run)(folder.ws.folder)
    out = folder.ws.settings.path("output")
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == sorted(written)
    assert len(rows(out / pipeline.VALIDATION_REPORT, "文件汇总")) == 1
    if pipeline.SUMMARY in written:
        listed = rows(out / pipeline.SUMMARY, "项目汇总")
        assert [r["项目编号"] for r in listed] == ["P1", "合计"]


def test_summary_workbook_figures(folder):
    for iid in folder.issued:
        folder.fill(iid)
    outcome = pipeline.do_aggregate(folder.ws.folder)
    summary = outcome.outputs[-1]
    items = rows(summary, "项目汇总")
    by_id = {r["项目编号"]: r for r in items if r["项目编号"] != "合计"}
    assert by_id["P1"]["得分"] == pytest.approx(99.5)
    assert by_id["P1"]["执行率（%）"] == pytest.approx(90)
    assert by_id["P1"]["等级"] == "优"
    total = next(r for r in items if r["项目编号"] == "合计")
    assert total["预算数（万元）"] == pytest.approx(470.5)
    dept = rows(summary, "部门整体")
    assert (dept[0]["指标个数"], dept[0]["满分指标个数"], dept[0]["部门决策得分"]) == (31, 31, 15)
    assert len(rows(summary, "指标明细")) == 19 + 19 + 31 + 2 + 6  # 自评: 2 fixed, 6 own


def test_department_text_never_becomes_a_formula(folder):
    fw = folder.framework("P1")
    evil = '=HYPERLINK("http://x","点我")'
    folder.fill(
        "P1",
        full_fill(
            fw, **{"1.1.1": {"score": 2, "reason": evil}, "1.1.2": {"score": 2, "reason": "+1+1"}}
        ),
    )
    outcome = pipeline.do_aggregate(folder.ws.folder)
    summary = outcome.outputs[-1]
    details = rows(summary, "指标明细")
    assert evil in [r["偏差原因分析及改进措施"] for r in details]
    with zipfile.ZipFile(summary) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = zf.read(name).decode("utf-8")
                assert "<f>" not in xml  # the summary holds values only
                for cell in re.findall(r"<c [^>]*>(?:(?!</c>).)*HYPERLINK(?:(?!</c>).)*</c>", xml):
                    assert 't="inlineStr"' in cell or 't="s"' in cell  # stored as text


def test_output_locked_by_excel_gives_a_chinese_message(tmp_path, monkeypatch):
    target = tmp_path / "汇总表.xlsx"
    target.write_bytes(b"old")

    def locked(*_):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "replace", locked)
    with (
        pytest.raises(OutputError, match="正在被Excel或WPS打开") as err,
        atomic_path(target) as tmp,
    ):
        tmp.write_bytes(b"new")
    assert "汇总表.xlsx" in err.value.render()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["汇总表.xlsx"]


def test_write_bytes_replaces_in_one_step(tmp_path, monkeypatch):
    import itertools

    import perfeval.machinery.atomic
    from perfeval.machinery.atomic import write_bytes

    target = tmp_path / "copies" / "a.xlsx"  # the folder is made when missing
    monkeypatch.setattr(perfeval.machinery.atomic, "_COUNTER", itertools.count())
    write_bytes(target, b"first", durable=False)
    stale = tmp_path / "copies" / f".a.{os.getpid()}.1.tmp.xlsx"
    stale.write_bytes(b"left by a killed run")  # the next name in line is taken
    write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert stale.read_bytes() == b"left by a killed run"

    def locked(*_):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError, match="正在被Excel或WPS打开"):
        write_bytes(target, b"third", durable=False)
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == [stale.name, "a.xlsx"]


def test_failed_write_leaves_previous_output(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old", encoding="utf-8")

    def killed_midway():
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_midway()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]
