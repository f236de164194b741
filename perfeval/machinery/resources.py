"""Where the bundled templates and the example live, installed or in a source checkout.

A wheel carries ``templates/`` and ``workbooks/`` inside the package as ``perfeval/_data/``; a
source checkout (or an editable install) has them next to the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # perfeval/


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found next to {_PACKAGE_DIR}")


def templates_dir() -> Path:
    return _data_dir("templates")


def example_dir() -> Path:
    """The bundled example evaluation folder (the seed county's 2024 evaluation)."""
    return _data_dir("workbooks") / "2024-特克斯县"


def bundled_frameworks_dir() -> Path:
    return templates_dir() / "frameworks"


def defaults_file() -> Path:
    return templates_dir() / "config" / "defaults.toml"


def report_templates_dir() -> Path:
    return templates_dir() / "report"
