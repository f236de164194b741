"""The archive's tables, as queries see them (the migrations in ``migrations/versions`` create
them; a test checks the two agree).

Every row carries the key the national platform stamps on its results: 区划代码, year, and the
project's 项目编号 and evaluation kind. Money, scores and rates are exact decimals: NUMERIC on a
server, text on SQLite (whose numbers are binary floating point).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()


class Amount(TypeDecorator):
    """A Decimal stored exactly: NUMERIC(24, 6) where the database has it, text on SQLite."""

    impl = sa.String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(sa.Numeric(24, 6, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(value)
        return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _key() -> list[sa.Column]:
    return [
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
    ]


#: one row per archived year of one region: who archived it, from which folder, when
archives = sa.Table(
    "archives",
    metadata,
    *_key(),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("bureau", sa.Text, nullable=False),
    sa.Column("folder_id", sa.String(40), nullable=False),
    sa.Column("folder", sa.Text, nullable=False),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("perfeval_version", sa.String(40), nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", name="pk_archives"),
)

#: one row per evaluated item (project, department, self-evaluation)
evaluations = sa.Table(
    "evaluations",
    metadata,
    *_key(),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("project_key", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("evaluator", sa.String(10), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("budget", Amount, nullable=False),
    sa.Column("executed", Amount, nullable=False),
    sa.Column("execution_rate", Amount),
    sa.Column("total", Amount, nullable=False),
    sa.Column("grade", sa.String(20), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("budget_cell", sa.Text, nullable=False),
    sa.Column("executed_cell", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", "item_id", name="pk_evaluations"),
)
sa.Index("ix_evaluations_project", evaluations.c.project_key)

#: one row per 三级指标 of each item, with the cell its score was read from
indicators = sa.Table(
    "indicators",
    metadata,
    *_key(),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("l1", sa.Text, nullable=False),
    sa.Column("l2", sa.Text, nullable=False),
    sa.Column("l3", sa.Text, nullable=False),
    sa.Column("weight", Amount, nullable=False),
    sa.Column("score", Amount, nullable=False),
    sa.Column("actual", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", "item_id", "seq", name="pk_indicators"),
)

#: the problems each item reported (问题分类, 问题描述, the unit's own 改进措施)
problems = sa.Table(
    "problems",
    metadata,
    *_key(),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("measure", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", "item_id", "seq", name="pk_problems"),
)

#: each project's approved targets, when the folder had them
targets = sa.Table(
    "targets",
    metadata,
    *_key(),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("l1", sa.Text, nullable=False),
    sa.Column("l2", sa.Text, nullable=False),
    sa.Column("l3", sa.Text, nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("weight", Amount),
    sa.Column("cell", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", "item_id", "seq", name="pk_targets"),
)

#: how many findings of each code the year's validation left (its quality, in numbers)
findings = sa.Table(
    "findings",
    metadata,
    *_key(),
    sa.Column("code", sa.String(20), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year", "code", "severity", name="pk_findings"),
)

#: per unit with items selected for the bureau's evaluation (not self-evaluations): the budget
#: selected, the budget evaluated (passed), and the unit's total project budget (roster), so a
#: roll-up can state coverage (migration 0002)
coverage = sa.Table(
    "coverage",
    metadata,
    *_key(),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("planned", Amount, nullable=False),
    sa.Column("evaluated", Amount, nullable=False),
    sa.Column("unit_budget", Amount),
    sa.PrimaryKeyConstraint("region_code", "year", "unit", name="pk_coverage"),
)

#: the year's follow-up of the previous year's problems, as the returned 整改台账 say (0003);
#: ``source_year`` is the year the problem was found, ``item_id`` and ``seq`` its item there
rectifications = sa.Table(
    "rectifications",
    metadata,
    *_key(),
    sa.Column("source_year", sa.Integer, nullable=False),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("deadline", sa.Date),
    sa.Column("progress", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint(
        "region_code", "year", "source_year", "item_id", "seq", name="pk_rectifications"
    ),
)

#: the tables holding one region-year's rows, children first (the order they are cleared in)
YEAR_TABLES = (
    rectifications,
    coverage,
    findings,
    targets,
    problems,
    indicators,
    evaluations,
    archives,
)
