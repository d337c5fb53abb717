"""bank owners and sharing

Banks written in the browser or imported get an owner and may be shared with classes (whose
instructors then own them too) or site-wide. Existing such banks belong to whoever wrote
their first version; file banks stay ownerless, shared by every instructor.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:26:14.596975
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_shares",
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_bank_shares_bank_id_banks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_bank_shares_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bank_id", "course_id", name=op.f("pk_bank_shares")),
    )
    with op.batch_alter_table("bank_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_shares_course_id"), ["course_id"], unique=False)

    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("shared_site_wide", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_banks_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_banks_owner_id_users"),
            "users",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # A browser or imported bank belongs to the author of its first version.
    op.execute(
        """
        UPDATE banks SET owner_id = (
            SELECT v.created_by_id FROM question_versions v
            JOIN questions q ON q.id = v.question_id
            WHERE q.bank_id = banks.id AND v.created_by_id IS NOT NULL
            ORDER BY v.created_at, v.id LIMIT 1
        )
        WHERE origin <> 'file'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_banks_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_banks_owner_id"))
        batch_op.drop_column("shared_site_wide")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("bank_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_shares_course_id"))

    op.drop_table("bank_shares")
