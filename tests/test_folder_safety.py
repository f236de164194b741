"""perfeval never removes what it did not write, and path settings cannot point it at the wrong
place (issue 21): every case is built here, and the folder's inputs are compared byte for byte
before and after."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfeval import pipeline
from perfeval.cli import app
from perfeval.config.workspace import open_workspace
from perfeval.errors import ConfigError
from perfeval.machinery.manifest import MANIFEST_NAME
from tests.conftest import full_fill

runner = CliRunner(env={"COLUMNS": "400"})  # one message, one line


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def snapshot(root: Path, skip: tuple[str, ...] = ("输出",)) -> dict[str, str]:
    """Every file below ``root`` (outside ``skip``) by relative path, with its SHA-256."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] not in skip and not rel.name.startswith(".perfeval"):
            out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def set_path(folder: Path, key: str, value: str, extra: str = "") -> None:
    config = folder / "perfeval.toml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.startswith(f"{key} = "):
            lines[n] = f"{key} = {json.dumps(value, ensure_ascii=False)}\n{extra}"
            break
    else:
        raise AssertionError(key)
    config.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def returned(folder):
    """A folder with every item returned, one of them with an error."""
    for iid in folder.issued:
        folder.fill(iid)
    fw = folder.framework("P1")
    folder.fill("P1", full_fill(fw, **{"1.1.1": {"score": 9}}))
    return folder


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("returns", "回收", ("[paths] returns", "[paths] returned")),
        ("returns", ".", ("[paths] returns",)),
        ("returns", "回收/退回", ("[paths] returns", "[paths] returned")),
        ("output", "回收", ("[paths] output", "[paths] returned")),
        ("returned", "输出", ("[paths] returned", "[paths] output")),
        ("issued", "指标体系", ("[paths] issued", "[paths] frameworks")),
        ("output", "模板", ("[paths] output", "模板")),
        ("roster", "回收/项目清单.xlsx", ("[paths] roster", "[paths] returned")),
        ("returns", "../elsewhere", ("[paths] returns", "outside_folder")),
        ("output", "..", ("[paths] output",)),
    ],
)
def test_a_path_setting_that_overlaps_or_escapes_is_refused(returned, key, value, named):
    root = returned.ws.folder
    before = snapshot(root.parent, skip=())
    set_path(root, key, value)
    result = invoke("run", root)
    assert result.exit_code == 2, result.output
    for name in named:
        assert name in result.output
    after = snapshot(root.parent, skip=())
    assert after == {**before, "eval/perfeval.toml": after["eval/perfeval.toml"]}


def test_an_absolute_path_outside_needs_the_opt_in(returned, tmp_path):
    root = returned.ws.folder
    outside = tmp_path / "共享盘" / "退回"
    set_path(root, "returns", str(outside))
    with pytest.raises(ConfigError, match="outside_folder"):
        open_workspace(root)
    set_path(root, "returns", str(outside), extra="outside_folder = true\n")
    config = (root / "perfeval.toml").read_text(encoding="utf-8")
    config = config.replace("outside_folder = false\n", "")
    (root / "perfeval.toml").write_text(config, encoding="utf-8")
    outcome = pipeline.do_validate(root)
    assert [p.parent for p in outcome.returns] == [outside]


def test_a_link_that_makes_two_paths_one_is_refused(returned):
    root = returned.ws.folder
    (root / "退回").symlink_to(root / "回收", target_is_directory=True)
    set_path(root, "returns", "退回")
    before = snapshot(root / "回收", skip=())
    with pytest.raises(ConfigError) as err:
        open_workspace(root)
    assert "经过链接后" in err.value.message
    assert snapshot(root / "回收", skip=()) == before


def test_only_copies_perfeval_wrote_and_left_unchanged_are_removed(returned):
    root = returned.ws.folder
    first = pipeline.do_validate(root)
    (copy,) = first.returns
    copies = copy.parent
    theirs = copies / "单位自己的说明.xlsx"
    theirs.write_bytes(b"not ours")
    (copies / "子文件夹").mkdir()
    nested = copies / "子文件夹" / "另一个.xlsx"
    nested.write_bytes(b"not ours either")
    record = json.loads((root / "输出" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert list(record["files"]) == [copy.relative_to(copies).as_posix()]

    returned.fill("P1")  # corrected: the copy is stale now
    second = pipeline.do_validate(root)
    assert second.returns == []
    assert not copy.exists()
    assert theirs.read_bytes() == b"not ours"
    assert nested.read_bytes() == b"not ours either"


def test_a_copy_changed_since_perfeval_wrote_it_is_kept(returned):
    root = returned.ws.folder
    (copy,) = pipeline.do_validate(root).returns
    copy.write_bytes(copy.read_bytes() + b"\0")  # someone saved it again
    returned.fill("P1")
    pipeline.do_validate(root)
    assert copy.exists()


def test_a_planted_record_cannot_make_perfeval_remove_anything(returned, tmp_path):
    root = returned.ws.folder
    victim = tmp_path / "victim.xlsx"
    victim.write_bytes(b"precious")
    inside = root / "回收" / os.listdir(root / "回收")[0]
    out = root / "输出"
    out.mkdir(exist_ok=True)
    st_v, st_i = victim.stat(), inside.stat()
    (out / MANIFEST_NAME).write_text(
        json.dumps(
            {
                "format": 1,
                "returns": str((root / "输出" / "退回修改").resolve()),
                "files": {
                    "../../../victim.xlsx": [st_v.st_size, st_v.st_mtime_ns],
                    str(victim): [st_v.st_size, st_v.st_mtime_ns],
                    "../../回收/" + inside.name: [st_i.st_size, st_i.st_mtime_ns],
                },
            }
        ),
        encoding="utf-8",
    )
    before = snapshot(root)
    pipeline.do_validate(root)
    assert victim.read_bytes() == b"precious"
    assert snapshot(root) == before


def test_copies_that_cannot_be_written_are_one_finding(returned):
    root = returned.ws.folder
    copies = root / "输出" / "退回修改"
    copies.mkdir(parents=True)
    if subprocess.run(["chattr", "+i", str(copies)], capture_output=True).returncode:
        pytest.skip("chattr +i (a folder nobody may write into, root included) not available")
    try:
        outcome = pipeline.do_validate(root)
    finally:
        subprocess.run(["chattr", "-i", str(copies)], check=True)
    assert outcome.returns == []
    (note,) = [f for f in outcome.validation.findings if f.code == "PE-OUT-001"]
    assert note.file == "输出/退回修改"


def test_demo_over_an_earlier_demo_removes_nothing(tmp_path):
    target = tmp_path / "demo"
    assert pipeline.prepare_demo(target) == target
    mine = target / "回收" / "我的笔记.txt"
    mine.write_text("keep", encoding="utf-8")
    (target / "我的文件夹").mkdir()
    pipeline.prepare_demo(target)
    assert mine.read_text(encoding="utf-8") == "keep"
    assert (target / "我的文件夹").is_dir()


def test_a_file_given_as_the_folder_is_refused(returned):
    roster = returned.ws.folder / "项目清单.xlsx"
    before = roster.read_bytes()
    result = invoke("run", roster)
    assert result.exit_code == 2
    assert "不是评价文件夹" in result.output
    assert roster.read_bytes() == before


def test_output_that_is_a_file_is_refused_with_the_path(returned):
    root = returned.ws.folder
    (root / "输出").mkdir(exist_ok=True)
    (root / "输出").rmdir()
    (root / "输出").write_bytes(b"a file where the output folder should be")
    result = invoke("run", root)
    assert result.exit_code == 2, result.output
    assert "[paths] output" in result.output
    assert (root / "输出").read_bytes() == b"a file where the output folder should be"


# --- found in review: relative folders, links below 退回修改, a clerk's file of the same name ---


def test_outside_is_outside_when_the_folder_is_given_as_dot(returned, monkeypatch):
    """``perfeval run .``: "../../x" is outside, although "." is among its parents as words."""
    root = returned.ws.folder
    set_path(root, "returns", "../../出去了")
    monkeypatch.chdir(root)
    result = invoke("run", ".")
    assert result.exit_code == 2, result.output
    assert "outside_folder" in result.output
    assert not (root.parent.parent / "出去了").exists()


def test_a_link_below_the_copies_cannot_lead_copies_over_returned_files(returned):
    """A sub-folder of 退回修改 that links to 回收: the copy of 回收/sub/x.xlsx would replace
    回收/x.xlsx. It is not written there; the run says a copy is missing."""
    root = returned.ws.folder
    bad = next(p for p in (root / "回收").iterdir() if "测试项目甲" in p.name)
    (root / "回收" / "sub").mkdir()
    bad.rename(root / "回收" / "sub" / bad.name)
    (root / "回收" / bad.name).write_bytes((root / "下发" / bad.name).read_bytes())
    copies = root / "输出" / "退回修改"
    copies.mkdir(parents=True)
    (copies / "sub").symlink_to(root / "回收", target_is_directory=True)
    before = snapshot(root / "回收", skip=())
    outcome = pipeline.do_validate(root)
    assert snapshot(root / "回收", skip=()) == before
    assert "PE-OUT-001" in {f.code for f in outcome.validation.findings}


def test_a_clerks_file_under_a_copys_name_is_never_adopted_overwritten_or_removed(returned):
    root = returned.ws.folder
    (copy,) = pipeline.do_validate(root).returns
    copy.write_bytes(b"the clerk's own edited version")  # saved over the copy
    again = pipeline.do_validate(root)  # cache hit: the file is not as perfeval left it
    assert copy.read_bytes() == b"the clerk's own edited version"
    assert "PE-OUT-002" in {f.code for f in again.validation.findings}
    (root / ".perfeval-cache.sqlite").unlink()  # a miss: the file is checked, copy due
    pipeline.do_validate(root)
    assert copy.read_bytes() == b"the clerk's own edited version"
    returned.fill("P1")  # corrected: the copy would be stale, but it is not perfeval's
    pipeline.do_validate(root)
    assert copy.read_bytes() == b"the clerk's own edited version"


def test_the_sweep_never_goes_through_a_link(returned, tmp_path):
    from perfeval.machinery.atomic import HOST

    root = returned.ws.folder
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    theirs = elsewhere / f".报告.{HOST}-4000000.1.tmp.docx"
    theirs.write_bytes(b"x")
    copies = root / "输出" / "退回修改"
    copies.mkdir(parents=True)
    (copies / "共享").symlink_to(elsewhere, target_is_directory=True)
    pipeline.do_validate(root)
    assert theirs.exists()


def test_demo_replaces_a_link_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "d2"
    target.mkdir()
    (target / ".perfeval-demo").write_text("x", encoding="utf-8")
    precious = tmp_path / "precious.toml"
    precious.write_text("mine", encoding="utf-8")
    (target / "perfeval.toml").symlink_to(precious)
    pipeline.prepare_demo(target)
    assert precious.read_text(encoding="utf-8") == "mine"
    assert not (target / "perfeval.toml").is_symlink()
    linked = tmp_path / "d3"
    linked.mkdir()
    (linked / ".perfeval-demo").write_text("x", encoding="utf-8")
    (linked / "回收").symlink_to(tmp_path / "别的回收", target_is_directory=True)
    (tmp_path / "别的回收").mkdir()
    with pytest.raises(ConfigError, match="链接"):
        pipeline.prepare_demo(linked)
    assert list((tmp_path / "别的回收").iterdir()) == []


def test_control_characters_in_a_path_setting_are_refused(returned):
    root = returned.ws.folder
    set_path(root, "output", "输\u0000出")
    result = invoke("run", root)
    assert result.exit_code == 2, result.output
    assert "[paths] output" in result.output
