"""Odd entries in the returned folder each cost one finding, never the run (issue 21): names in
GBK bytes, links to nowhere or in a loop, named pipes, folders nobody may read, paths too long."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from perfeval.read import discover
from perfeval.read.discover import display_name, returned_files
from perfeval.validate import validate

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and links")


def codes(findings) -> list[tuple[str, str]]:
    return sorted((f.code, f.file) for f in findings)


@posix_only
def test_a_gbk_name_is_shown_in_chinese_and_the_file_still_checked(folder):
    """Zips made on Chinese Windows unpack to names in GBK bytes on Linux and macOS."""
    src = folder.fill("P1")
    gbk = os.fsencode(folder.returned) + b"/" + "民政局项目".encode("gbk") + b".xlsx"
    os.rename(src, gbk)
    for iid in ("P2", "D1", "S1"):
        folder.fill(iid)
    before = {p: p.read_bytes() for p in folder.returned.iterdir()}
    result = validate(folder.ws)  # the cache is on: its records hold the odd name too
    names = [f.file for f in result.files]
    assert "民政局项目.xlsx" in names
    mine = next(f for f in result.files if f.file == "民政局项目.xlsx")
    assert mine.passed
    assert [f.code for f in mine.findings] == []
    assert ("PE-FILE-012", "民政局项目.xlsx") in codes(result.skipped)
    assert sum(f.passed for f in result.files) == 4
    again = validate(folder.ws)
    assert again.cached == 4
    assert {p: p.read_bytes() for p in folder.returned.iterdir()} == before


def test_display_name_of_undecodable_bytes():
    assert display_name("普通.xlsx") == ("普通.xlsx", False)
    odd = os.fsdecode("报表".encode("gbk") + b".xlsx")
    assert display_name(odd) == ("报表.xlsx", True)
    shown, flagged = display_name(os.fsdecode(b"\xff\xfe\xff.xlsx"))
    assert flagged
    assert shown.endswith(".xlsx")
    shown.encode("utf-8")  # printable anywhere


@posix_only
def test_links_pipes_and_loops_each_cost_one_finding(folder, tmp_path):
    folder.fill("P1")
    ret = folder.returned
    (ret / "指向不存在.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    (ret / "环A.xlsx").symlink_to(ret / "环B.xlsx")
    (ret / "环B.xlsx").symlink_to(ret / "环A.xlsx")
    os.mkfifo(ret / "管道.xlsx")
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (ret / "文件夹链接").symlink_to(elsewhere, target_is_directory=True)
    (ret / "循环文件夹").mkdir()
    (ret / "循环文件夹" / "上级").symlink_to(ret, target_is_directory=True)
    outside = tmp_path / "外部.xlsx"
    outside.write_bytes(folder.issued["P2"].read_bytes())
    (ret / "外部链接.xlsx").symlink_to(outside)

    found, notes = returned_files(ret, "回收")
    assert [f.name for f in found] == [folder.issued["P1"].name, "外部链接.xlsx"]
    assert codes(notes) == sorted(
        [
            ("PE-FILE-013", "指向不存在.xlsx"),
            ("PE-FILE-013", "环A.xlsx"),
            ("PE-FILE-013", "环B.xlsx"),
            ("PE-FILE-014", "文件夹链接"),
            ("PE-FILE-014", "管道.xlsx"),
            ("PE-FILE-014", "循环文件夹/上级"),
        ]
    )
    result = validate(folder.ws)  # the pipe is never opened: this would block forever
    assert len(result.files) == 2
    assert {f.code for f in result.skipped} >= {"PE-FILE-013", "PE-FILE-014"}


def test_an_unreadable_subfolder_is_one_finding(folder, monkeypatch):
    folder.fill("P1")
    locked = folder.returned / "某单位"
    locked.mkdir()
    folder.fill("P2", name="某单位/" + folder.issued["P2"].name)
    real = os.scandir

    def scandir(path):  # root reads every folder: a refusal is simulated
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    found, notes = returned_files(folder.returned, "回收")
    assert [f.name for f in found] == [folder.issued["P1"].name]
    assert codes(notes) == [("PE-FILE-013", "某单位")]
    assert "权限" in notes[0].message


@posix_only
def test_a_path_too_long_to_open_is_one_finding(folder):
    folder.fill("P1")
    deep = os.fsencode(folder.returned)
    name = ("深" * 80).encode()  # 240 bytes per level: the whole path outgrows PATH_MAX
    os.chdir(deep)
    try:
        for _ in range(18):
            os.mkdir(name)
            os.chdir(name)
        with open(b"x.xlsx", "wb") as fh:
            fh.write(b"PK")
    finally:
        os.chdir(os.fsencode(Path(__file__).parent))
    found, notes = returned_files(folder.returned, "回收")
    assert [f.name for f in found] == [folder.issued["P1"].name]
    assert [n.code for n in notes] == ["PE-FILE-013"]
    assert "路径过长" in notes[0].message


def test_a_returned_folder_that_is_a_file_is_one_finding(tmp_path):
    path = tmp_path / "回收"
    path.write_bytes(b"x")
    found, notes = returned_files(path, "回收")
    assert found == []
    assert codes(notes) == [("PE-FILE-013", "回收")]


@posix_only
def test_a_gbk_name_equal_to_another_files_name_is_told_apart(folder):
    src = folder.fill("P1")
    twin = os.fsencode(folder.returned) + b"/" + src.name.encode("gbk")
    with open(twin, "wb") as fh:
        fh.write(src.read_bytes())
    found, _ = returned_files(folder.returned, "回收")
    names = [f.name for f in found]
    assert len(set(names)) == 2
    assert src.name in names
    assert any("（GBK编码）" in n for n in names)
