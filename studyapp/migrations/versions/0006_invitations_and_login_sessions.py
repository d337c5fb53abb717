"""invitations, login sessions and the account log

Roster rows become invitations; each login gets a server-side session row (replacing
the per-user session token); invitations and password links are logged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:20:00.040699
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "invite",
                "invite_link_made",
                "invite_link_used",
                "invite_accepted",
                "invite_declined",
                "password_link_made",
                "password_link_used",
                "password_refused",
                name="auditaction",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_account_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    with op.batch_alter_table("account_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "class_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("student_number", sa.String(length=64), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_class_invitations_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_class_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_invitations")),
        sa.UniqueConstraint("course_id", "email", name=op.f("uq_class_invitations_course_id")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_class_invitations_link_hash")),
    )
    with op.batch_alter_table("class_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_invitations_email"), ["email"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_sessions_key_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        # Every login cookie named this token; they all end here (users log in again).
        batch_op.drop_column("session_token")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # A value no cookie carries: everyone logs in again after a downgrade too.
        batch_op.add_column(
            sa.Column(
                "session_token",
                sa.String(length=64),
                nullable=False,
                server_default="downgraded",
            )
        )

    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    with op.batch_alter_table("class_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_invitations_email"))

    op.drop_table("class_invitations")
    with op.batch_alter_table("account_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_events_at"))

    op.drop_table("account_events")
