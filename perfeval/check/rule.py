"""A rule of the catalogue: its stable code, severity, and Chinese message and fix templates."""

from __future__ import annotations

from dataclasses import dataclass

from perfeval.check.finding import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    message: str
    hint: str


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
