"""question content keeps its key order

On PostgreSQL a question version's content becomes ``json`` (stored as written) instead of
``jsonb`` (keys sorted by length, then bytes), so a matching question's statements keep the
order their author wrote. The content hash now counts the order of choices and matching
pairs; every stored hash is recomputed with that rule. On PostgreSQL the versions already
stored keep the sorted order they were given, so the next sync of a file whose pairs were in
another order writes a new version in the file's order.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:40:00
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The hash rule as of this revision (studyapp.banks.content.content_hash), frozen here so
# the migration means the same thing whatever that function becomes later.
_ORDERED = ("choices", "pairs")


def _hash(doc: dict, ordered_mappings: tuple[str, ...] = _ORDERED) -> str:
    ordered = {
        k: [list(item) for item in v.items()]
        if k in ordered_mappings and isinstance(v, dict)
        else v
        for k, v in doc.items()
    }
    text = json.dumps(ordered, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _rehash(conn, ordered_mappings: tuple[str, ...]) -> None:
    versions = sa.table(
        "question_versions",
        sa.column("id", sa.Integer),
        sa.column("content", sa.JSON),
        sa.column("content_hash", sa.String),
    )
    rows = conn.execute(sa.select(versions.c.id, versions.c.content)).all()
    updates = [{"vid": vid, "digest": _hash(content, ordered_mappings)} for vid, content in rows]
    if updates:
        conn.execute(
            versions.update()
            .where(versions.c.id == sa.bindparam("vid"))
            .values(content_hash=sa.bindparam("digest")),
            updates,
        )


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.alter_column(
            "question_versions",
            "content",
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(astext_type=sa.Text()),
            postgresql_using="content::json",
        )
        # Forget each file's hash so the next sync reads every file again and writes the
        # versions jsonb had reordered back in the file's order.
        conn.execute(sa.text("UPDATE banks SET file_hash = NULL"))
    _rehash(conn, _ORDERED)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.alter_column(
            "question_versions",
            "content",
            type_=postgresql.JSONB(astext_type=sa.Text()),
            existing_type=sa.JSON(),
            postgresql_using="content::jsonb",
        )
    _rehash(conn, ())  # the earlier rule: no order counts
