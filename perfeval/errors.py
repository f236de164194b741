"""Exceptions for input or configuration that perfeval cannot use at all.

Problems *inside* returned workbooks are never raised: they become findings (see
:mod:`perfeval.check.catalogue`). Only a broken configuration, framework or roster, or an output
that cannot be written, stops a command. Every exception carries a Chinese message for the user.
"""

from __future__ import annotations

from pathlib import Path


class PerfevalError(Exception):
    """An error the user must fix before perfeval can go on; ``message`` is Chinese."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str = "") -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        parts = [self.message]
        if self.path:
            parts.insert(0, f"文件：{self.path}")
        if self.hint:
            parts.append(f"处理办法：{self.hint}")
        return "\n".join(parts)


class ConfigError(PerfevalError):
    """perfeval.toml, a framework file or the roster cannot be used."""


class OutputError(PerfevalError):
    """An output file cannot be written (locked by Excel, no permission, disk full)."""
