"""Grid governance (网格, 津治通) tables: the hierarchy, workers, categories, events, whistles."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

districts = Table(
    "districts",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("name", String(20), nullable=False),
)

streets = Table(
    "streets",
    metadata,
    Column("code", String(9), primary_key=True),
    Column("district_code", String(6), nullable=False),
    Column("name", String(40), nullable=False),
    Index("ix_streets_district", "district_code", "code"),
)

communities = Table(
    "communities",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("street_code", String(9), nullable=False),
    Column("name", String(40), nullable=False),
    Index("ix_communities_street", "street_code", "code"),
)

grids = Table(
    "grids",
    metadata,
    Column("code", String(15), primary_key=True),
    Column("community_code", String(12), nullable=False),
    Column("name", String(40), nullable=False),
    Index("ix_grids_community", "community_code", "code"),
)

grid_workers = Table(
    "grid_workers",
    metadata,
    Column("worker_id", String(20), primary_key=True),
    Column("id_number", String(18), nullable=False),
    Column("name", String(32), nullable=False),
    Column("phone", String(11), nullable=False),
    Column("grid_code", String(15), nullable=False),
    Index("ix_workers_grid", "grid_code", "worker_id"),
)

event_categories = Table(
    "event_categories",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(40), nullable=False),
    Column("parent_code", String(8), nullable=True),
    Column("deadline_hours", Integer, nullable=False),
    Index("ix_categories_parent", "parent_code", "code"),
)

grid_events = Table(
    "grid_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("title", String(120), nullable=False),
    Column("description", Text, nullable=False),
    Column("category_code", String(8), nullable=False),
    Column("grid_code", String(15), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reporter_id_number", String(18), nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_events_grid", "grid_code", "reported_at", "id"),
    Index("ix_events_reporter", "reporter_id_number", "reported_at", "id"),
    Index("ix_events_status", "status", "reported_at", "id"),
    Index("ix_events_category", "category_code", "reported_at", "id"),
    Index("ix_events_reported", "reported_at", "id"),
)

event_steps = Table(
    "event_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("event_id", Integer, nullable=False),
    Column("action", String(12), nullable=False),
    Column("actor_role", String(24), nullable=False),
    Column("actor_name", String(32), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("note", String(200), nullable=False),
    Index("ix_steps_event", "event_id", "at", "id"),
)

whistles = Table(
    "whistles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("event_id", Integer, nullable=False),
    Column("street_code", String(9), nullable=False),
    Column("department", String(40), nullable=False),
    Column("whistled_at", DateTime, nullable=False),
    Column("responded_at", DateTime, nullable=True),
    Column("speed_score", Integer, nullable=True),
    Column("handling_score", Integer, nullable=True),
    Index("ix_whistles_event", "event_id", "whistled_at", "id"),
    Index("ix_whistles_street", "street_code", "whistled_at", "id"),
)

workflow_metadata = MetaData()
"""Tables the workflow writes, created on its first write (the seeded data has none)."""

workflow_requests = Table(
    "workflow_requests",
    workflow_metadata,
    Column("subject", String(128), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("action", String(12), nullable=False),
    Column("event_id", Integer, nullable=False),
    Column("step_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    PrimaryKeyConstraint("subject", "idempotency_key", name="pk_workflow_requests"),
)
"""One row per mutation sent with an idempotency key: what it did, replayed on a retry."""
