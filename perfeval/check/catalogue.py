"""The one catalogue of findings: stable codes, severity, Chinese message and fix templates.

Codes never change meaning once released; tests and users refer to them. Message templates use
``{tokens}``; a missing token renders as “?” instead of failing, so reporting never crashes.
The rules themselves are kept by subject in :mod:`perfeval.check.messages`; :class:`Code` joins
them into one enumeration (``Code.FILE_UNREADABLE``), and no two may share a name or a code.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from perfeval.check.finding import Finding, Severity
from perfeval.check.messages import (
    archive,
    cells,
    files,
    folder,
    identity,
    money,
    rectify,
    review,
    roster,
    scores,
    targets,
    vocabularies,
)
from perfeval.check.rule import Rule
from perfeval.model import CellRef

__all__ = ["Code", "Finding", "Rule", "Severity", "all_rules", "finding"]

SECTIONS = (
    files,
    identity,
    cells,
    scores,
    money,
    vocabularies,
    roster,
    targets,
    review,
    folder,
    archive,
    rectify,
)


class _Catalogue(Enum):
    @property
    def rule(self) -> Rule:
        return self.value


def _members() -> list[tuple[str, Rule]]:
    members = [(name, rule) for s in SECTIONS for name, rule in s.RULES.items()]
    names = [n for n, _ in members]
    codes = [r.code for _, r in members]
    if len(set(names)) != len(names) or len(set(codes)) != len(codes):
        raise RuntimeError("the catalogue repeats a name or a code")
    return members


#: Every finding perfeval can report. The member value carries the rule.
Code = _Catalogue("Code", _members())


class _Context(dict):
    """Template values; a name the caller did not give shows as '?' instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def finding(code: Code, ref: CellRef, /, *, item_id: str = "", **context: Any) -> Finding:
    """Build a finding from the catalogue, formatting its templates with ``context``."""
    rule = code.rule
    context.setdefault("item_id", item_id)
    return Finding(
        code=rule.code,
        severity=rule.severity,
        file=ref.file,
        sheet=ref.sheet,
        cell=ref.cell,
        message=rule.message.format_map(_Context(context)),
        hint=rule.hint.format_map(_Context(context)),
        item_id=item_id,
    )


def all_rules() -> list[Rule]:
    return [c.rule for c in Code]
