"""Index events by time and by incident: the metrics read a window's events that way.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("events_at", "events", ["at"])
    op.create_index("events_incident", "events", ["incident_id"])


def downgrade() -> None:
    op.drop_index("events_incident", table_name="events")
    op.drop_index("events_at", table_name="events")
