"""What the command-line shells share: the progress bar and JSON output."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from perfeval.render.text import json_for_terminal

err_console = Console(stderr=True, emoji=False)


class Bar:
    """A rich progress bar with count and ETA, shown once a run takes more than a second;
    then a closing line with files per second. Silent when output is JSON.

    It is redrawn as results come in, never by a thread of its own: workers are forked while it
    shows (a replacement for a crashed one), and a fork copies the locks other threads hold."""

    REDRAW_EVERY = 0.1  # seconds

    def __init__(self, enabled: bool = True, label: str = "读取工作簿") -> None:
        self.enabled = enabled
        self.label = label
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task = None
        self.total = 0
        self.drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        if not self.enabled:
            return
        if self.progress is None and time.monotonic() - self.started > 1:
            self.progress = Progress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("剩余"),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
                auto_refresh=False,
            )
            self.progress.start()
            self.task = self.progress.add_task("", total=total)
        if self.progress is not None:
            self.progress.update(self.task, completed=done, total=total)
            now = time.monotonic()
            if now - self.drawn >= self.REDRAW_EVERY or done == total:
                self.progress.refresh()
                self.drawn = now

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            seconds = time.monotonic() - self.started
            err_console.print(
                f"读取{self.total}个文件用时{seconds:.1f}秒，每秒{self.total / seconds:.0f}个。"
            )


def print_json(payload: Any) -> None:
    """``payload`` as JSON on stdout, in UTF-8 for the program reading it, with control
    characters escaped (see render.text.json_for_terminal)."""
    text = json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n"
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        out.write(text.encode("utf-8", "replace"))
        out.flush()
