"""The demo end to end: every figure the seed county published, in the Markdown and Word reports."""

import difflib
import os
import re
import zipfile
from pathlib import Path

import docx
import pytest

from perfeval import pipeline
from perfeval.render.context import build_context
from perfeval.render.report import render_markdown, undeclared_variables

GOLDEN = Path(__file__).parent / "golden" / "工作总结报告.md"
UPDATE = "PERFEVAL_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py"

SEED = {
    # unit, budget, executed, score
    "2024年基层民政工作经办能力项目": ("特克斯县民政局", "123.77", "97.17"),
    "2024年自治区彩票公益金残疾人事业发展资金项目": ("特克斯县残疾人联合会", "55.03", "94.80"),
    "2024年特克斯县县级地方储备及应急成品粮油费用补贴项目": (
        "特克斯县发展和改革委员会",
        "251.99",
        "96.07",
    ),
    "2024年特克斯第一小学债券项目": ("特克斯县教育局", "1000.00", "93.61"),
    "2024年人力资源和社会保障局部门整体支出绩效评价": (
        "特克斯县人力资源和社会保障局",
        "7349.30",
        "92.49",
    ),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = pipeline.prepare_demo(tmp_path_factory.mktemp("demo") / "perfeval-demo")
    outcome = pipeline.do_run(folder)
    assert outcome.exit_code == 0
    return outcome


def _out(demo, suffix):
    return next(p for p in demo.outputs if p.suffix == suffix and p.stem == "工作总结报告")


def test_demo_leaves_every_output(demo):
    names = sorted(p.name for p in demo.outputs)
    assert names == ["工作总结报告.docx", "工作总结报告.md", "校验报告.xlsx", "汇总表.xlsx"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in demo.outputs)
    assert [f for f in demo.validation.findings if f.severity != "提示"] == []


def test_markdown_states_the_seed_figures(demo):
    text = _out(demo, ".md").read_text(encoding="utf-8")
    assert "共5个项目" in text
    assert "涉及5个部门单位" in text
    assert "评价金额合计8780.09万元" in text
    assert "等级为“优”的5个项目，金额合计8780.09万元" in text
    assert "（征求意见稿）" not in text  # every roster item is in it
    assert "附件" not in text  # 数据来源 lives in 汇总表 unless asked for
    blocks = re.split(r"\n### （[一二三四五]）", text)
    for name, (unit, budget, score) in SEED.items():
        block = next(b for b in blocks if b.startswith(name))
        assert unit in block.split("。")[0]
        assert f"预算{budget}万元，实际执行{budget}万元" in block
        assert f"得分{score}分，评价结果为“优”" in block
    assert "本年度部门预算7349.30万元" in text  # a department's budget, not a project's
    assert "共设置评价指标31个，其中满分指标26个" in text
    for name, weight, score, rate in (
        ("部门决策", "15", "14.00", "93.33%"),
        ("部门管理", "25", "22.00", "88.00%"),
        ("部门绩效", "60", "56.49", "94.15%"),
    ):
        assert f"{name}指标分值{weight}分，得分{score}分，得分率{rate}" in text


def _normalise(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines() if line.strip()]


def test_markdown_matches_golden(demo):
    got = _out(demo, ".md").read_text(encoding="utf-8")
    if os.environ.get("PERFEVAL_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(got, encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8")
    if _normalise(got) != _normalise(want):
        diff = "\n".join(
            difflib.unified_diff(
                _normalise(want), _normalise(got), "golden", "now", lineterm="", n=1
            )
        )
        pytest.fail(
            f"report differs from {GOLDEN.name}; if the change is intended run:\n  {UPDATE}\n{diff}"
        )


def test_docx_styles_headings_tables_and_no_tags(demo):
    path = _out(demo, ".docx")
    with zipfile.ZipFile(path) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
        body = zf.read("word/document.xml").decode("utf-8")
    for font in ("仿宋", "黑体", "楷体", "宋体"):
        assert f'w:eastAsia="{font}"' in styles
    for tag in ("{{", "}}", "{%", "%}"):
        assert tag not in body
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、基本情况",
        "二、各项目评价结果",
        "三、存在的主要问题",
        "四、改进措施",
        "五、评价结果应用",
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "评价金额合计8780.09万元" in text
    for name, (_, _, score) in SEED.items():
        assert name in text
        assert f"得分{score}分，评价结果为“优”" in text
    assert "部门管理指标分值25分，得分22.00分，得分率88.00%" in text
    grades = document.tables[0]
    assert [c.text for c in grades.rows[1].cells] == ["优", "90分及以上", "5", "8780.09"]
    assert len(document.tables) == 1  # 数据来源 is in 汇总表, not in the leader's report


def test_missing_variable_fails_loudly(demo, tmp_path):
    template = tmp_path / "t.md.j2"
    template.write_text("{{ title }} {{ no_such_figure }}", encoding="utf-8")
    context = build_context(demo.results)
    assert undeclared_variables(template, context) == ["no_such_figure"]
    from perfeval.errors import ConfigError

    with pytest.raises(ConfigError, match="no_such_figure"):
        render_markdown(context, template)


def test_department_text_is_escaped_in_markdown(demo):
    from perfeval.render.report import md_escape

    assert md_escape("**粗** <b>|</b>") == r"\*\*粗\*\* \<b\>\|\</b\>"


@pytest.mark.parametrize("text", ["一行", "第一行\n第二行\t制表", "分页\f后\a新段"])
def test_the_faster_word_rendering_writes_what_docxtpl_writes(demo, tmp_path, text):
    """ReportTemplate shortcuts two of docxtpl's steps; the document must not change by a byte,
    with department text holding line breaks and tabs (which docxtpl turns into Word markup)."""
    import jinja2
    from docxtpl import DocxTemplate

    from perfeval.machinery.resources import report_templates_dir
    from perfeval.render.docx_template import ReportTemplate

    context = build_context(demo.results)
    context["items"][0]["overview"] = text
    written = []
    for kind in (ReportTemplate, DocxTemplate):
        doc = kind(str(report_templates_dir() / "工作总结报告.docx"))
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
        doc.render(context, jinja_env=env, autoescape=True)
        doc.save(str(tmp_path / f"{kind.__name__}.docx"))
        with zipfile.ZipFile(tmp_path / f"{kind.__name__}.docx") as zf:
            written.append({n: zf.read(n) for n in zf.namelist()})
    assert written[0] == written[1]
    paragraphs = docx.Document(str(tmp_path / "ReportTemplate.docx")).paragraphs
    assert any("项目概况。" + text[:2] in p.text for p in paragraphs)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("工作总结报告.md.j2", b"{{ 1/0 }}"),
        ("工作总结报告.md.j2", b'{% include "nope" %}'),
        ("工作总结报告.md.j2", "{{ title }}，报告".encode("gbk")),
        ("工作总结报告.docx", b"not a Word file"),
    ],
)
def test_a_broken_template_of_the_folders_own_is_a_message_not_a_crash(tmp_path, name, content):
    from typer.testing import CliRunner

    from perfeval.cli import app

    target = pipeline.prepare_demo(tmp_path / "demo")
    (target / "模板").mkdir()
    (target / "模板" / name).write_bytes(content)
    result = CliRunner().invoke(app, ["report", str(target)])
    assert result.exit_code == 2, result.output
    assert "模板" in result.output


def test_check_template_writes_nothing_and_explains_a_bad_file(tmp_path):
    from typer.testing import CliRunner

    from perfeval.cli import app

    target = pipeline.prepare_demo(tmp_path / "demo")
    runner = CliRunner()
    bad = tmp_path / "bad.md.j2"
    bad.write_bytes(b"{% if %}")
    assert runner.invoke(app, ["report", str(target), "--check-template", bad]).exit_code == 2
    missing = tmp_path / "none.docx"
    assert runner.invoke(app, ["report", str(target), "--check-template", missing]).exit_code == 2
    good = tmp_path / "good.md.j2"
    good.write_text("{{ title }}", encoding="utf-8")
    assert runner.invoke(app, ["report", str(target), "--check-template", good]).exit_code == 0
    assert not (target / "输出").exists() or not any((target / "输出").iterdir())


def test_a_project_out_of_80_says_it_is_graded_on_its_rate(demo):
    import dataclasses
    from decimal import Decimal

    r = demo.results
    first = r.evaluated[0]
    scaled = dataclasses.replace(
        first, framework=dataclasses.replace(first.framework, total=Decimal(80))
    )
    items = [scaled if i is first else i for i in r.items]
    context = build_context(dataclasses.replace(r, items=items))
    shown = context["items"][0]
    assert (shown["out_of"], shown["score_rate"]) == ("80", "121.46%")
    assert all(i["out_of"] == "" for i in context["items"][1:])
