"""The files perfeval keeps in an evaluation folder for itself, named in one place, and the one
test that a path is a plain file (not a link, folder, pipe or device).

A folder travels between offices: any of these names may hold something else by the time
perfeval looks. Reading a pipe blocks for ever, and following a link reads or writes somewhere
else, so each is checked with :func:`regular_file` before it is used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE = ".perfeval-cache.sqlite"  # checked outcomes (perfeval.machinery.cache)
ROSTER_MEMO = ".perfeval-roster.cache"  # the parsed roster (perfeval.config.roster)
WORKERS_LOG = ".perfeval-workers.log"  # what a crashing reader printed (perfeval.machinery.pool)
DEMO_MARKER = ".perfeval-demo"  # this folder was made by perfeval demo
MANIFEST = ".perfeval-written.json"  # in the output folder: files perfeval wrote (manifest)
FOLDER_ID = ".perfeval-folder-id"  # which folder archived a region-year (perfeval.archive)
#: what the demo does not copy from the bundled example (all of the above share the prefix)
PREFIX = ".perfeval-"


def regular_file(path: Path | str) -> bool:
    """``path`` is a plain file itself: not a link (to anything), folder, pipe or device."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def occupied(path: Path | str) -> bool:
    """Something that is not a plain file is at ``path`` (so it is neither read nor replaced);
    False when nothing is there."""
    try:
        return not stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True


def file_kind(path: Path | str) -> str:
    """'' when ``path`` is (or links to) a plain file; otherwise what is there, in Chinese, for
    a message ('不存在', '文件夹', '特殊文件', '无法访问的位置'). Reading a pipe would block."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "不存在"
    except (OSError, ValueError):
        return "无法访问的位置"
    if stat.S_ISREG(mode):
        return ""
    return "文件夹" if stat.S_ISDIR(mode) else "特殊文件（如命名管道）"
