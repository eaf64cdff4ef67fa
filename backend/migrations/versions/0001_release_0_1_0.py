"""The tables of floorline 0.1.0, the release before migrations: what its create_all made.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("epoch", sa.String(40), nullable=False),
        sa.Column("pruned_through", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("incident_id", sa.BigInteger, nullable=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("view", sa.Text, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "commands",
        sa.Column("command_id", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("terminal", sa.String(80), nullable=False),
        sa.Column("command_type", sa.String(40), nullable=False),
        sa.Column("command_id", sa.String(64), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("issued_at", sa.Float, nullable=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("audit_at", "audit", ["at"])
    op.create_table(
        "staff",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("pit", sa.String(40), nullable=True),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "roster",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "pits",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "one_time_pins",
        sa.Column("staff_id", sa.String(40), primary_key=True),
        sa.Column("since", sa.Float, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("terminal", sa.String(80), nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "tokens",
        "one_time_pins",
        "pits",
        "roster",
        "assets",
        "staff",
        "audit",
        "commands",
        "snapshots",
        "events",
        "meta",
    ):
        op.drop_table(table)
