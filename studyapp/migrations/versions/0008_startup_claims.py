"""startup claims: once-per-site jobs at start (the setup link)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "startup_claims",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_startup_claims")),
    )


def downgrade() -> None:
    op.drop_table("startup_claims")
