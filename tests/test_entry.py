"""The ``perfeval`` command as a user meets it (issue 21): one Chinese line and exit 130 for
Ctrl+C, one Chinese line naming the log and exit 3 for a bug, nothing in English on the screen,
and nothing from a file or folder printed that could steer the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import full_fill

ROOT = Path(__file__).resolve().parent.parent


def perfeval(tmp_path: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
    """``perfeval args`` in a fresh interpreter, after ``prelude`` (to plant a fault)."""
    code = (
        "import sys\n"
        f"{prelude}\n"
        "from perfeval.entry import main\n"
        f"sys.argv = ['perfeval', *{list(args)!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "PERFEVAL_LOG": str(tmp_path / "logs" / "perfeval.log")}
    env["COLUMNS"] = "400"  # rich fits its table to this: one finding, one line
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_a_bug_is_one_chinese_line_naming_the_log_and_exit_3(folder, tmp_path):
    folder.fill("P1")
    prelude = (
        "import perfeval.pipeline as p\n"
        "def broken(*a, **k):\n"
        "    raise ZeroDivisionError('planted')\n"
        "p.do_validate = broken\n"
    )
    done = perfeval(tmp_path, "validate", str(folder.ws.folder), prelude=prelude)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr + done.stdout
    assert "内部错误" in done.stderr
    log = tmp_path / "logs" / "perfeval.log"
    assert str(log) in done.stderr
    assert "ZeroDivisionError: planted" in log.read_text(encoding="utf-8")


def test_ctrl_c_is_one_chinese_line_and_exit_130(folder, tmp_path):
    prelude = (
        "import perfeval.pipeline as p\n"
        "def interrupted(*a, **k):\n"
        "    raise KeyboardInterrupt\n"
        "p.do_validate = interrupted\n"
    )
    done = perfeval(tmp_path, "validate", str(folder.ws.folder), prelude=prelude)
    assert done.returncode == 130
    assert "Traceback" not in done.stderr
    assert "已中断" in done.stderr


def test_log_records_never_reach_the_terminal(folder, tmp_path):
    """What perfeval logs (English, for maintainers) and Python's warnings go to the log."""
    folder.fill("P1", full_fill(folder.framework("P1"), **{"1.1.1": {"score": 99}}))
    root = folder.ws.folder
    prelude = (
        "import logging\n"
        "import perfeval.pipeline as p\n"
        "real = p.do_validate\n"
        "def noisy(*a, **k):\n"
        "    logging.getLogger('perfeval.test').warning('planted warning')\n"
        "    import warnings; warnings.warn('planted python warning')\n"
        "    return real(*a, **k)\n"
        "p.do_validate = noisy\n"
    )
    done = perfeval(tmp_path, "validate", str(root), prelude=prelude)
    assert done.returncode == 1, done.stderr
    assert "WARNING" not in done.stderr
    assert "planted" not in done.stderr + done.stdout
    log = (tmp_path / "logs" / "perfeval.log").read_text(encoding="utf-8")
    assert "planted warning" in log
    assert "planted python warning" in log


def test_file_names_and_text_cannot_steer_the_terminal(folder, tmp_path):
    """An escape sequence in a returned file's name (ESC[2J clears the screen) and rich markup
    in it are printed as plain characters."""
    evil = "\x1b[2J\x1b]0;title\x07[blink]假\u202egnp.xlsx"
    src = folder.fill("P1", full_fill(folder.framework("P1"), **{"1.1.1": {"score": 99}}))
    src.rename(folder.returned / evil)
    done = perfeval(tmp_path, "validate", str(folder.ws.folder))
    assert done.returncode == 1
    shown = done.stdout + done.stderr
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "\u202e" not in shown
    assert "[blink]假" in shown  # printed as written, not taken as markup


def test_a_long_text_is_cut_on_the_terminal(tmp_path):
    from rich.console import Console

    from perfeval import cli

    text = "很长的说明" * 7000  # 35,000 characters, as a cell can hold
    plain = cli._plain(text)
    assert len(plain) < cli.MAX_TEXT_SHOWN + 20
    with open(os.devnull, "w", encoding="utf-8") as sink:
        Console(file=sink, width=100, emoji=False).print(plain)


def test_json_output_carries_no_terminal_controls(folder, tmp_path):
    import json

    evil = "\u202e\u009b31m坏.xlsx"
    src = folder.fill("P1", full_fill(folder.framework("P1"), **{"1.1.1": {"score": 99}}))
    src.rename(folder.returned / evil)
    done = perfeval(tmp_path, "validate", str(folder.ws.folder), "--json")
    assert done.returncode == 1
    assert "\u202e" not in done.stdout
    assert "\u009b" not in done.stdout
    files = {f["file"] for f in json.loads(done.stdout)["findings"]}
    assert evil in files  # the same data, escaped


def test_a_status_line_with_huge_names_is_capped(folder, tmp_path):
    from perfeval.aggregate.scope import Missing, report_status

    item = folder.ws.roster.get("P1")
    import dataclasses

    huge = dataclasses.replace(item, name="长" * 32000)
    line = report_status([Missing(huge, "尚未交回")], [], 4, "征求意见稿")
    assert len(line) < 200
