"""Each unit's evaluated amount and total project budget, for coverage in roll-ups.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perfeval.archive.schema import Amount

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage",
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("planned", Amount, nullable=False),
        sa.Column("evaluated", Amount, nullable=False),
        sa.Column("unit_budget", Amount),
        sa.PrimaryKeyConstraint("region_code", "year", "unit", name="pk_coverage"),
    )


def downgrade() -> None:
    op.drop_table("coverage")
