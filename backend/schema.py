"""The tables (SQLAlchemy Core), the same for SQLite and PostgreSQL.

A change here is a new revision in `backend/migrations/versions/` too: the
database is made and moved forward by the migrations, never by create_all.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row (id=1): the head of the event log. Every command updates it first
# inside its transaction, which serialises writers (across processes too)
# and so makes seq both gap-free and committed in order.
meta = Table(
    "meta",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("epoch", String(40), nullable=False),
    # every seq at or below this has been pruned from `events`
    Column("pruned_through", BigInteger, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("incident_id", BigInteger, nullable=True),
    Column("at", Float, nullable=False),
    Column("body", Text, nullable=False),  # the Event as JSON, exactly as sent
    Column("view", Text, nullable=False),  # who may see it (backend.visibility.EventView)
)

# the metrics read a window's events by time and by incident (backend/metrics_log.py;
# migration 0004)
Index("events_at", events.c.at)
Index("events_incident", events.c.incident_id)


snapshots = Table(
    "snapshots",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
)

# results of commands by command_id: a re-sent command gets the same answer
commands = Table(
    "commands",
    metadata,
    Column("command_id", String(64), primary_key=True),
    Column("staff_id", String(40), nullable=False),
    Column("at", Float, nullable=False),
    Column("result", Text, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("staff_id", String(40), nullable=False),
    Column("terminal", String(80), nullable=False),
    Column("command_type", String(40), nullable=False),
    Column("command_id", String(64), nullable=False),
    Column("result", String(20), nullable=False),
    Column("message", Text, nullable=False),
    Column("issued_at", Float, nullable=True),
    Column("seq", BigInteger, nullable=False),
)
Index("audit_at", audit.c.at)

# The tamper-evident journal (backend/journal.py): one entry per decided command,
# accepted or refused, each holding the hash of the entry before it.
journal = Table(
    "journal",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("staff_id", String(40), nullable=False),
    Column("terminal", String(80), nullable=False),
    Column("command_id", String(64), nullable=False),
    Column("command_type", String(40), nullable=False),
    Column("command", Text, nullable=False),  # canonical JSON, masked
    Column("issued_at", Float, nullable=True),
    Column("outcome", String(20), nullable=False),  # "accepted" or the refusal's code
    Column("message", Text, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("journal_at", journal.c.at)

# One row (id=1): the journal's last entry. Every append locks it first, so
# appends queue in every process and the chain cannot fork.
journal_head = Table(
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("role", String(20), nullable=False),
    Column("pit", String(40), nullable=True),
    Column("pin_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

assets = Table(
    "assets",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("body", Text, nullable=False),
)

roster = Table(
    "roster",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
)

pits = Table(
    "pits",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("body", Text, nullable=False),
)

# staff whose PIN was handed out once (a new member, a reset): changed at first sign-in
one_time_pins = Table(
    "one_time_pins",
    metadata,
    Column("staff_id", String(40), primary_key=True),
    Column("since", Float, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token
    Column("staff_id", String(40), nullable=False),
    Column("terminal", String(80), nullable=False),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)
Index("tokens_staff", tokens.c.staff_id)

# other systems allowed to open incidents and downtimes and add notes (the intake API);
# a key is `fl_<key_id>_<secret>`: looked up by its key id, its secret kept as SHA-256
service_accounts = Table(
    "service_accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(40), nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# an intake request's Idempotency-Key, with the digest of the body first sent with it
intake_keys = Table(
    "intake_keys",
    metadata,
    Column("account_id", String(40), primary_key=True),
    Column("idempotency_key", String(64), primary_key=True),  # SHA-256 of the header
    Column("body_hash", String(64), nullable=False),
    Column("at", Float, nullable=False),
)
