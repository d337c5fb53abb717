"""choices are shuffled unless a quiz turns it off

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00.000000

Quizzes created from now on shuffle their choices (the model's default); the server
default makes rows written outside the app agree. Existing quizzes keep their setting:
an attempt in progress must not see its choices move.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.alter_column(
            "shuffle_choices", existing_type=sa.Boolean(), server_default=sa.true()
        )


def downgrade() -> None:
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.alter_column("shuffle_choices", existing_type=sa.Boolean(), server_default=None)
