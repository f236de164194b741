"""The command line on small folders: exit codes 0 / 1 / 2 and the files each command leaves."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from perfeval.cli import app
from tests.conftest import full_fill, row_of

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_init_then_issue(tmp_path):
    folder = tmp_path / "ev"
    result = invoke("init", folder, "--year", "2024", "--region", "某县")
    assert result.exit_code == 0, result.output
    assert (folder / "perfeval.toml").is_file()
    assert (folder / "项目清单.xlsx").is_file()
    result = invoke("issue", folder)
    assert result.exit_code == 0, result.output
    assert "已下发0个工作簿" in result.output
    assert invoke("init", folder, "--year", "2024", "--region", "某县").exit_code == 2


def test_validate_exit_codes_and_json(folder):
    for iid in folder.issued:
        folder.fill(iid)
    path = folder.ws.folder
    clean = invoke("validate", path)
    assert clean.exit_code == 0, clean.output
    assert (path / "输出" / "校验报告.xlsx").is_file()

    fw = folder.framework("P1")
    bad = folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    result = invoke("validate", path, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["files"] == 4
    assert [(f["file"], f["sheet"], f["cell"], f["code"]) for f in payload["findings"]] == [
        (bad.name, "指标", f"K{row_of(fw, '1.1.1')}", "PE-SCORE-001")
    ]


def test_unusable_configuration_exits_2(tmp_path):
    result = invoke("validate", tmp_path)
    assert result.exit_code == 2
    assert "找不到配置文件" in result.output


def test_aggregate_writes_the_summary(folder):
    for iid in folder.issued:
        folder.fill(iid)
    result = invoke("aggregate", folder.ws.folder)
    assert result.exit_code == 0, result.output
    assert (folder.ws.folder / "输出" / "汇总表.xlsx").is_file()


def test_python_dash_m_runs():
    done = subprocess.run(
        [sys.executable, "-m", "perfeval", "version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "perfeval" in done.stdout


def test_demo_run_and_report_commands(tmp_path):
    target = tmp_path / "demo"
    result = invoke("demo", target)
    assert result.exit_code == 0, result.output
    out = target / "输出"
    assert sorted(p.name for p in out.iterdir()) == [
        "工作总结报告.docx",
        "工作总结报告.md",
        "校验报告.xlsx",
        "汇总表.xlsx",
    ]
    (out / "工作总结报告.md").unlink()
    assert invoke("report", target).exit_code == 0
    assert (out / "工作总结报告.md").is_file()
    assert invoke("run", target).exit_code == 0
    assert invoke("demo", target).exit_code == 0  # a demo folder may be refreshed


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    result = invoke("demo", tmp_path)
    assert result.exit_code == 2
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_run_exits_1_with_errors_but_still_reports_clean_items(folder):
    fw = folder.framework("P1")
    folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    folder.fill("P2")
    result = invoke("run", folder.ws.folder)
    assert result.exit_code == 1
    report = (folder.ws.folder / "输出" / "工作总结报告.md").read_text(encoding="utf-8")
    assert "### （一）2024年测试项目乙" in report  # stated
    assert "### （一）2024年测试项目甲" not in report  # not stated: named as missing instead
    assert "2024年测试项目甲（测试县民政局），交回的填报表有1处错误" in report
    assert "（征求意见稿）" in report
    assert "工作总结报告为征求意见稿" in result.output


def test_check_template_lists_unknown_variables(tmp_path):
    target = tmp_path / "demo"
    assert invoke("demo", target).exit_code == 0
    good = invoke(
        "report",
        target,
        "--check-template",
        Path(__file__).parent.parent / "templates" / "report" / "工作总结报告.docx",
    )
    assert good.exit_code == 0, good.output
    assert "均由系统提供" in good.output
    bad = tmp_path / "bad.md.j2"
    bad.write_text("{{ title }}{{ 不存在的数字 }}{{ scope.amount }}", encoding="utf-8")
    result = invoke("report", target, "--check-template", bad)
    assert result.exit_code == 1
    assert "不存在的数字" in result.output


def test_the_progress_bar_draws_without_a_thread_of_its_own(monkeypatch):
    """Workers are forked while the bar shows; a fork copies the locks other threads hold."""
    import io
    import threading

    from rich.console import Console

    from perfeval import cli_common

    out = io.StringIO()
    monkeypatch.setattr(
        cli_common, "err_console", Console(file=out, force_terminal=True, width=100)
    )
    bar = cli_common.Bar()
    bar.started -= 5  # as if the run had taken five seconds so far
    threads = threading.active_count()
    for done in range(1, 101):
        bar(done, 100)
        assert threading.active_count() == threads
    bar.close()
    text = out.getvalue()
    assert "100/100" in text
    assert "读取100个文件" in text
