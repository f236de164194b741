"""Two consecutive years of the bundled example through archive, rectify, report and combine,
on SQLite and on PostgreSQL: every count in the new sheets and sentences equals one computed
here from the example's data (tests/two_years.py) and the ledgers' answers, not from
perfeval's results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from perfeval import pipeline
from perfeval.archive import schema as t
from perfeval.archive.database import open_archive
from perfeval.archive.run import archive_folder
from perfeval.archive.store import read_rows
from perfeval.combine.run import combine
from perfeval.config.workspace import open_workspace
from perfeval.rectify import ledger as L
from perfeval.rectify.issue import RETURNED, issue_ledgers
from tests.two_years import KEPT, REVIEWED, build, first_year, second_year

#: the 2025 answers in the ledgers returned: unit -> (是否完成, 整改情况, 佐证材料) per problem
ANSWERS = {
    "特克斯县民政局": [("已完成", "已按季度分解指标", "考核办法.pdf")],
    "特克斯县残疾人联合会": [
        ("已完成", "已设明细科目", "凭证.pdf"),
        ("未完成", "监督办法起草中", ""),
    ],
}


@pytest.fixture
def years(tmp_path: Path, archive_url: str, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", archive_url)
    first = pipeline.prepare_demo(tmp_path / "2024-特克斯县")
    archive_folder(first)
    second = build(second_year(first_year()), tmp_path / "2025-特克斯县")
    return_ledgers(second)
    return first, second


def return_ledgers(folder: Path) -> None:
    """Issue 2025's ledgers from the archive; two units fill theirs in and return them."""
    issued = issue_ledgers(open_workspace(folder))
    returned = folder / RETURNED
    returned.mkdir(parents=True)
    for path in issued:
        wb = openpyxl.load_workbook(path)
        ws = wb[L.SHEET]
        unit = ws.cell(1, 1).value.rsplit("（", 1)[1].rstrip("）")
        if unit not in ANSWERS:
            continue
        for n, (status, progress, evidence) in enumerate(ANSWERS[unit]):
            row = L.FIRST_ROW + n
            for key, value in (
                ("action", "整改措施"),
                ("owner", "李四"),
                ("deadline", dt.date(2025, 9, 30)),
                ("progress", progress),
                ("status", status),
                ("evidence", evidence),
            ):
                ws.cell(row, L.column(key), value)
        wb.save(returned / path.name)


def sheet_rows(path: Path, name: str) -> list[dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [r for r in book[name].iter_rows(values_only=True) if any(v is not None for v in r)]
    finally:
        book.close()
    first = ("项目", "实施单位", "项目名称", "分组")  # each sheet's first column
    header_at = next(n for n, r in enumerate(rows) if r[0] in first)
    header = rows[header_at]
    return [dict(zip(header, r, strict=False)) for r in rows[header_at + 1 :]]


def test_the_second_year_compares_with_the_first(years):
    _, second = years
    outcome = pipeline.do_report(second)
    assert outcome.notes == []
    summary = second / "输出" / "汇总表.xlsx"
    data1, data2 = first_year(), second_year(first_year())

    def bureau(data):  # the items the report's figures count: not the units' self-evaluations
        return [i for i in data["items"] if i["kind"] != "单位自评"]

    yoy = {r["项目"]: r for r in sheet_rows(summary, "与上年对比")}
    assert (yoy["评价项目个数"]["2024年"], yoy["评价项目个数"]["2025年"]) == (
        len(bureau(data1)),
        len(bureau(data2)),
    )
    amount = yoy["评价金额（万元）"]
    assert Decimal(str(amount["2024年"])) == sum(Decimal(i["budget"]) for i in bureau(data1))
    assert Decimal(str(amount["2025年"])) == sum(Decimal(i["budget"]) for i in bureau(data2))

    # a problem recurs where the same unit reports the same category in both years
    expected = set()
    for it in data1["items"]:
        number = it["item_id"].rsplit("-", 1)[1]
        kept = {p["category"] for p in it.get("problems", [])} & KEPT.get(number, set())
        expected |= {(it["unit"], c) for c in kept}
    recurring = {
        (r["实施单位"], r["问题分类"].split(" ")[0]) for r in sheet_rows(summary, "连续出现的问题")
    }
    assert recurring == expected

    # the bureau evaluated one self-evaluated project too
    own = next(i for i in data2["items"] if i["item_id"].endswith(REVIEWED))
    review = next(i for i in data2["items"] if i["item_id"] == "TKS-2025-06")
    [pair] = sheet_rows(summary, "自评复核对比")
    gap = Decimal(own["expected_total"]) - Decimal(review["expected_total"])
    assert (pair["自评项目编号"], pair["复核项目编号"]) == (own["item_id"], review["item_id"])
    assert Decimal(str(pair["差值"])) == gap

    sources = {f.label: f.value for f in outcome.results.figures}
    assert Decimal(sources["自评复核平均差值"]) == gap
    assert sources["连续两年出现的问题（单位×问题分类）"] == str(len(expected))
    assert sources["2024年度重点评价项目个数"] == str(len(bureau(data1)))

    changes = sheet_rows(summary, "上年得分对比")
    assert len(changes) == len(data1["items"])  # every 2024 project again, by the same evaluator

    # 整改: every 2024 problem is to be followed up; the answers above are all that came back
    problems = sum(len(i.get("problems", [])) for i in data1["items"])
    statuses = [a[0] for answers in ANSWERS.values() for a in answers]
    done, not_done = statuses.count("已完成"), statuses.count("未完成")
    rect = {(r["分组"], r["名称"]): r for r in sheet_rows(summary, "整改完成情况")}
    per_unit = [r for (how, _), r in rect.items() if how == "按实施单位"]
    assert sum(r["应整改"] for r in per_unit) == problems
    assert sum(r["已完成"] for r in per_unit) == done
    assert sum(r["未完成"] for r in per_unit) == not_done
    assert sum(r["未报送"] for r in per_unit) == problems - len(statuses)
    assert len(sheet_rows(summary, "以前年度问题整改")) == problems
    rate = (Decimal(done) * 100 / problems).quantize(Decimal("0.01"))

    text = (second / "输出" / "工作总结报告.md").read_text(encoding="utf-8")
    word = "\n".join(
        p.text for p in docx.Document(second / "输出" / "工作总结报告.docx").paragraphs
    )
    for report in (text, word):
        assert f"平均差值（自评减复核）{gap}分" in report
        assert f"重点评价项目由{len(bureau(data1))}个变为{len(bureau(data2))}个" in report
        units = {u for u, _ in expected}
        assert f"{len(units)}个单位的{len(expected)}类问题在2024年度评价中已经反映" in report
        assert f"问题共{problems}条" in report
        assert f"已完成整改{done}条" in report
        assert f"整改完成率{rate}%" in report
        for unit, answers in ANSWERS.items():
            finished = sum(1 for a in answers if a[0] == "已完成")
            share = (Decimal(finished) * 100 / len(answers)).quantize(Decimal("0.01"))
            assert f"{unit}{len(answers)}条、已完成{finished}条（{share}%）" in report


def test_two_years_roll_up_by_year(years, archive_url, tmp_path):
    _, second = years
    archive_folder(second)
    # the returned ledgers are archived with the year that followed them up
    archive = open_archive(archive_url, create=False)
    kept = read_rows(archive, t.rectifications, "654027", 2025)
    statuses = [a[0] for answers in ANSWERS.values() for a in answers]
    assert len(kept) == sum(len(i.get("problems", [])) for i in first_year()["items"])
    assert sum(1 for r in kept if r["status"] == "已完成") == statuses.count("已完成")
    assert {r["source_year"] for r in kept} == {2024}
    done = combine([archive_url], tmp_path / "州")
    data = {2024: first_year(), 2025: second_year(first_year())}
    table = {int(r["年度"]): r for r in done.tables["地区汇总"].to_dict("records")}
    for year, d in data.items():
        bureau = [i for i in d["items"] if i["kind"] != "单位自评"]
        assert table[year]["评价项目数"] == len(bureau)
        assert table[year]["评价金额（万元）"] == sum(Decimal(i["budget"]) for i in bureau)
        assert table[year]["问题条数"] == sum(len(i.get("problems", [])) for i in d["items"])


def test_an_archive_that_cannot_be_read_leaves_the_comparison_out(tmp_path, monkeypatch):
    broken = tmp_path / "档案.sqlite"
    broken.write_bytes(b"not a database" * 200)
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", f"sqlite:///{broken}")
    folder = pipeline.prepare_demo(tmp_path / "2024")
    outcome = pipeline.do_aggregate(folder)
    assert [n.code for n in outcome.notes] == ["PE-ARC-001"]
    assert "与上年对比" not in outcome.results.tables
    assert broken.read_bytes() == b"not a database" * 200


def test_without_an_archive_there_is_nothing_to_compare(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFEVAL_ARCHIVE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    folder = pipeline.prepare_demo(tmp_path / "2024")
    outcome = pipeline.do_aggregate(folder)
    assert outcome.notes == []
    assert outcome.results.history is None
    assert not (tmp_path / "none.sqlite").exists()
