"""The ``perfeval`` command's entry point: where its log goes, Ctrl+C, and genuine bugs.

Kept small and light on purpose: a Ctrl+C while the rest of perfeval is still being imported
must end as quietly as one in the middle of a run. The user sees one Chinese line for either:

* Ctrl+C: ``已中断`` and exit code 130 (outputs already written are whole; none is half-written);
* a bug: the traceback goes to the log and the screen says where the log is; exit code 3.

Everything perfeval logs (English, for whoever maintains it) goes to that log file, never to
the user's terminal. The file is per user (``PERFEVAL_LOG`` overrides it), made only when
something is logged, and kept under a few megabytes.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

LOG_BYTES = 5 * 1024 * 1024
INTERRUPTED = 130
BUG = 3


def log_path() -> Path:
    """Where perfeval's log is written: ``PERFEVAL_LOG``, or a per-user place."""
    given = os.environ.get("PERFEVAL_LOG")
    if given:
        return Path(given)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "perfeval" / "perfeval.log"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "perfeval" / "perfeval.log"


class _LazyFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file whose folder is made when the first record arrives."""

    def _open(self):  # type: ignore[no-untyped-def]
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def setup_logging() -> Path:
    """Send every log record and Python warning to the log file, none to the terminal."""
    path = log_path()
    logging.raiseExceptions = False  # a log that cannot be written is not worth a traceback
    handler = _LazyFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=1, delay=True, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    sys.unraisablehook = _log_unraisable
    return path


def _log_unraisable(unraisable) -> None:  # type: ignore[no-untyped-def]
    """An error Python cannot raise (a file closed by the garbage collector on a full disk,
    say) goes to the log, not over the one-line message already on the screen."""
    logging.getLogger("perfeval").warning(
        "ignored in %r", unraisable.object, exc_info=unraisable.exc_value
    )


def _say(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main() -> None:
    code: int | str | None = 0
    path = None
    try:
        for stream in (sys.stdout, sys.stderr):  # a character the console cannot show: "?"
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="replace")
        path = setup_logging()
        from perfeval.cli import app

        app()
    except KeyboardInterrupt:
        code = INTERRUPTED
    except SystemExit as exc:
        code = exc.code
    except Exception:  # a bug: the details for whoever fixes it, one plain line for the user
        logging.getLogger("perfeval").exception("unexpected error")
        where = f"技术信息已写入日志：{path}，" if path is not None else ""
        _say(f"perfeval 内部错误，本次运行未完成。{where}请把它发给维护人员。")
        code = BUG
    if code == INTERRUPTED:
        _say("已中断，本次运行未完成。已写出的输出文件是完整的，未写完的不会留下。")
    sys.exit(code)
