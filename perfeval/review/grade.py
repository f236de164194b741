"""A project's review grade on the 88号 scale, and its 审核意见.

The score starts at 100 and loses ``[review] deductions`` points per finding of each level;
the first grade whose lower bound it reaches is the project's, with that grade's action. The
actions are those of the 2015 No. 88 rules (财预 88号, art. 25); the deductions and bounds are
perfeval's choice (no source gives a formula) and are settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2

from perfeval.check.catalogue import Finding, Severity
from perfeval.config.workspace import TEMPLATES_KEY
from perfeval.errors import ConfigError
from perfeval.machinery.resources import templates_dir
from perfeval.review.config import ReviewConfig, ReviewGrade

OPINION_TEMPLATE = "review/审核意见.j2"
QUOTED = 3  # findings an opinion quotes


@dataclass(frozen=True)
class Graded:
    score: Decimal
    grade: ReviewGrade
    errors: int
    warnings: int
    opinion: str


def _environment(folder: Path | None) -> jinja2.Environment:
    """The folder's own templates (模板/) first, then the bundled ones."""
    dirs = [str(templates_dir())]
    if folder is not None and (folder / TEMPLATES_KEY).is_dir():
        dirs.insert(0, str(folder / TEMPLATES_KEY))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


_ENVS: dict[Path | None, jinja2.Environment] = {}


def grade_project(
    name: str, findings: list[Finding], cfg: ReviewConfig, folder: Path | None = None
) -> Graded:
    """``folder``: the evaluation folder, whose 模板/review/审核意见.j2 is used when present."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    lost = errors * cfg.deductions.get("error", Decimal(0)) + warnings * cfg.deductions.get(
        "warning", Decimal(0)
    )
    score = max(Decimal(0), Decimal(100) - lost)
    grade = next((g for g in cfg.grades if score >= g.min), cfg.grades[-1])
    env = _ENVS.get(folder)
    if env is None:
        env = _ENVS[folder] = _environment(folder)
    shown = [f for f in findings if f.severity is Severity.ERROR] + [
        f for f in findings if f.severity is Severity.WARNING
    ]
    try:
        opinion = env.get_template(OPINION_TEMPLATE).render(
            project=name,
            grade=grade.name,
            action=grade.action,
            score=score,
            errors=errors,
            warnings=warnings,
            findings=shown[:QUOTED],
            more=max(0, len(shown) - QUOTED),
        )
    except jinja2.TemplateError as exc:
        raise ConfigError(
            f"审核意见模板有误：{exc}",
            path=Path(getattr(exc, "filename", None) or OPINION_TEMPLATE),
            hint="请对照内置的 templates/review/审核意见.j2 修改。",
        ) from exc
    return Graded(score, grade, errors, warnings, opinion.strip())
