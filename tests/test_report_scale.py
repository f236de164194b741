"""The report at scale: units' self-evaluations are summed up, not listed one by one; long lists
of names and quoted texts are capped by configuration."""

import dataclasses
from decimal import Decimal

import pytest
from docx import Document

from perfeval import pipeline
from perfeval.config.settings import load_settings
from perfeval.errors import ConfigError
from perfeval.machinery.resources import report_templates_dir
from perfeval.render.context import build_context
from perfeval.render.report import write_docx, write_markdown
from tests.conftest import Folder, full_fill

SELF_EVALUATED = "2024年测试自评项目"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = Folder(tmp_path_factory.mktemp("scale") / "eval")
    for item_id in folder.issued:
        fill = full_fill(folder.framework(item_id))
        fill.problems = [
            {"category": "B2", "description": f"{item_id}问题{n}", "measure": f"{item_id}措施{n}"}
            for n in range(2)
        ]
        folder.fill(item_id, fill)
    outcome = pipeline.do_aggregate(folder.ws.folder)
    assert len(outcome.results.items) == 4  # every workbook is clean
    return outcome.results


def test_self_evaluations_are_summed_up_not_itemized(results):
    context = build_context(results)
    assert [i["name"] for i in context["items"]] == [
        "2024年测试项目甲",
        "2024年测试项目乙",
        "2024年测试局部门整体支出",
    ]
    assert context["scope"]["item_count"] == 3
    assert context["scope"]["amount"] == "450.50"  # 100 + 50.5 + 300, without the 20 of S1
    assert "单位自评" not in context["scope"]["kind_phrase"]
    assert sum(g["count"] for g in context["grade_rows"]) == 3
    own = context["self_eval"]
    assert (own["count"], own["unit_count"], own["amount"]) == (1, 1, "20.00")
    assert own["grade_phrase"] == "为“优”的1个"


def test_the_figures_match_what_the_report_states(results):
    figures = {f.label: f.value for f in results.figures}
    assert figures["评价项目个数"] == "3"
    assert figures["评价金额合计（万元）"] == "450.50"
    assert figures["单位自评项目个数"] == "1"
    assert figures["单位自评金额合计（万元）"] == "20.00"
    assert figures["单位自评结果为“优”的项目个数"] == "1"
    assert figures["评价结果为“优”的项目个数/金额（万元）"] == "3/450.50"
    sources = {f.label: f.source for f in results.figures}
    assert "不是单位自评" in sources["评价结果为“优”的项目个数/金额（万元）"]
    assert not any(label.startswith(SELF_EVALUATED) for label in figures)
    assert len(results.figures) == len(list(results.figures))


def test_problems_still_count_every_workbook(results):
    context = build_context(results)
    (group,) = context["problem_groups"]
    assert group["count"] == 4  # the self-evaluation's problems are the bureau's business too
    assert [d["item"] for d in group["details"]] == [i.item.name for i in results.items]
    assert group["details"][0]["text"] == "P1问题0；P1问题1。"  # a project's points together
    assert group["details_more"] == 0
    assert context["unit_measures_more"] == 0


def test_coverage_leaves_self_evaluations_out(results):
    assert {c.unit for c in results.coverage} == {"测试县民政局", "测试县教育局", "测试县人社局"}


def test_a_units_budget_total_may_sit_on_its_self_evaluation_row(results):
    from perfeval.aggregate.coverage import coverage

    items = {i.item.item_id: i.item for i in results.items}
    project = dataclasses.replace(items["P1"], unit_budget=None)
    own = dataclasses.replace(items["S1"], unit=project.unit, unit_budget=Decimal("500"))
    (row,) = coverage([project, own], results.settings)
    assert (row.unit, row.amount, row.base, row.rate) == (project.unit, 100, 500, 20)


def test_long_lists_are_capped(results):
    settings = dataclasses.replace(results.settings, report_names=2, report_quotes=3)
    context = build_context(dataclasses.replace(results, settings=settings))
    best = context["grade_rows"][0]
    assert best["count"] == 3
    assert best["item_names"] == "2024年测试项目甲、2024年测试项目乙等"
    (group,) = context["problem_groups"]
    # three quoted: both of the first project's, one of the second's; five told by count
    assert [d["text"] for d in group["details"]] == ["P1问题0；P1问题1。", "P2问题0。"]
    assert group["details_more"] == 5
    assert len(context["unit_measures"]) == 2
    assert context["unit_measures_more"] == 5
    category = group["categories"][0]
    assert category["count"] == 4
    assert category["item_names"].endswith("等")


def test_the_rendered_reports_carry_the_summary(results, tmp_path):
    """Both templates state the self-evaluation summary and the capped counts."""
    settings = dataclasses.replace(results.settings, report_quotes=3)
    context = build_context(dataclasses.replace(results, settings=settings))
    templates = report_templates_dir()
    md = write_markdown(context, templates / "工作总结报告.md.j2", tmp_path / "r.md")
    text = md.read_text(encoding="utf-8")
    itemized = text.split("## 二、")[1].split("## 三、")[0]
    assert [line for line in itemized.splitlines() if line.startswith("### ")] == [
        "### （一）2024年测试项目甲",
        "### （二）2024年测试项目乙",
        "### （三）2024年测试局部门整体支出",
    ]
    assert "1个项目开展了绩效自评" in text
    assert text.count("另有5条") == 2
    docx = write_docx(context, templates / "工作总结报告.docx", tmp_path / "r.docx")
    body = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "1个项目开展了绩效自评" in body
    assert SELF_EVALUATED not in body.split("二、各项目评价结果")[1].split("三、")[0]
    assert body.count("另有5条") == 2


@pytest.mark.parametrize("value", ["0", "-3", '"多"', "true"])
def test_report_limits_must_be_positive_whole_numbers(tmp_path, value):
    folder = Folder(tmp_path / "eval").ws.folder
    config = folder / "perfeval.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("report_names = 20", f"report_names = {value}"), "utf-8")
    with pytest.raises(ConfigError, match="report_names"):
        load_settings(folder)


def test_a_report_of_self_evaluations_only_states_no_empty_selection(results, tmp_path):
    own = [i for i in results.items if i.item.item_id == "S1"]
    context = build_context(dataclasses.replace(results, items=own))
    assert context["scope"]["item_count"] == 0
    assert context["self_eval"]["count"] == 1
    templates = report_templates_dir()
    md = write_markdown(context, templates / "工作总结报告.md.j2", tmp_path / "r.md")
    docx = write_docx(context, templates / "工作总结报告.docx", tmp_path / "r.docx")
    word = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    for text in (md.read_text(encoding="utf-8"), word):
        assert "共0个项目" not in text
        assert "从评价结果看" not in text
        assert "依据：" not in text  # no results to apply: no sentence introducing them
        assert "1个项目开展了绩效自评" in text
