"""question search fields

Each question version keeps a folded search text, its tags, difficulty and source between
bars, so the quiz question picker filters in SQL on SQLite and PostgreSQL alike. Existing
versions are filled from their stored content.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:15:00.000000
"""

import json

import sqlalchemy as sa
from alembic import op

from studyapp.banks.searchtext import search_fields

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    ("search_text", sa.Text()),
    ("tags_text", sa.String(length=1000)),
    ("difficulty", sa.String(length=20)),
    ("source_reading", sa.String(length=64)),
    ("source_paragraphs", sa.String(length=1000)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        default = "medium" if name == "difficulty" else ""
        op.add_column(
            "question_versions",
            sa.Column(name, type_, nullable=False, server_default=default),
        )
    conn = op.get_bind()
    versions = sa.table(
        "question_versions",
        sa.column("id", sa.Integer()),
        sa.column("content", sa.JSON()),
        *(sa.column(name, type_) for name, type_ in COLUMNS),
    )
    for vid, content in conn.execute(sa.select(versions.c.id, versions.c.content)).all():
        doc = json.loads(content) if isinstance(content, str) else content
        conn.execute(versions.update().where(versions.c.id == vid).values(**search_fields(doc)))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("question_versions", name)
