"""The first archive: items, indicators, problems, targets and findings of each region-year.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perfeval.archive.schema import Amount

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "archives",
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
    op.create_table(
        "evaluations",
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
    op.create_index("ix_evaluations_project", "evaluations", ["project_key"])
    op.create_table(
        "indicators",
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
    op.create_table(
        "problems",
        *_key(),
        sa.Column("item_id", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("region_code", "year", "item_id", "seq", name="pk_problems"),
    )
    op.create_table(
        "targets",
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
    op.create_table(
        "findings",
        *_key(),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("region_code", "year", "code", "severity", name="pk_findings"),
    )


def downgrade() -> None:
    for table in ("findings", "targets", "problems", "indicators", "evaluations", "archives"):
        op.drop_table(table)
