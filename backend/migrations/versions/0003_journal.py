"""The tamper-evident journal: one hash-chained entry per decided command, and its head.

An existing database starts its journal here, at seq 0: commands decided
before the upgrade are in the audit table only.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("terminal", sa.String(80), nullable=False),
        sa.Column("command_id", sa.String(64), nullable=False),
        sa.Column("command_type", sa.String(40), nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("issued_at", sa.Float, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("event_seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("journal_at", "journal", ["at"])
    head = op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    op.drop_table("journal_head")
    op.drop_index("journal_at", table_name="journal")
    op.drop_table("journal")
