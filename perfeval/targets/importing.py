"""``perfeval targets import``: copying approved targets files into the 绩效目标/ folder.

A file is read first (as it will be on every run); one that holds no targets is not copied, and
says why. A file is copied unchanged (its bytes, atomically), never over a different file of the
same name unless asked to replace it. The source is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from perfeval.check.catalogue import Finding
from perfeval.config.workspace import TARGETS_KEY, Workspace
from perfeval.machinery.atomic import make_folder, write_bytes
from perfeval.targets.columns import configured_columns
from perfeval.targets.load import read_isolated


@dataclass
class Imported:
    copied: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # the same bytes were there already
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (source, why, Chinese)
    findings: list[Finding] = field(default_factory=list)  # about the files read
    projects: int = 0  # projects in the copied files


def import_targets(ws: Workspace, files: list[Path], *, replace: bool = False) -> Imported:
    s = ws.settings
    folder = ws.folder / TARGETS_KEY
    out = Imported()
    present = [f for f in files if f.is_file()]
    out.refused += [(f, "不是文件或不存在") for f in files if not f.is_file()]
    limits = (configured_columns(s.raw), s.max_file_bytes, s.max_uncompressed_bytes)
    read = read_isolated(
        [(f, f.name) for f in present],
        limits,
        max(s.workers, 0),
        s.file_timeout,
        s.worker_memory_mb,
    )
    for source, (projects, findings) in zip(present, read, strict=True):
        out.findings += findings
        if not projects:
            out.refused.append((source, "其中没有可读取的绩效目标"))
            continue
        target = folder / source.name
        data = source.read_bytes()
        if target.exists():
            if target.read_bytes() == data:
                out.unchanged.append(target)
                out.projects += len(projects)
                continue
            if not replace:
                out.refused.append(
                    (source, f"“{TARGETS_KEY}”中已有同名的不同文件（可加 --replace 替换）")
                )
                continue
        make_folder(folder)
        write_bytes(target, data)
        out.copied.append(target)
        out.projects += len(projects)
    return out
