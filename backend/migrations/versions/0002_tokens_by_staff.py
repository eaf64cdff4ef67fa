"""Index sessions by staff member: deactivating one or resetting a PIN revokes all of
theirs, and the table gains a row at every sign-in.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("tokens_staff", "tokens", ["staff_id"])


def downgrade() -> None:
    op.drop_index("tokens_staff", table_name="tokens")
