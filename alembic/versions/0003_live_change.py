"""live_change: the feed of committed ticket changes that open pages are pushed from

Revision ID: 0003_live_change
Revises: 0002_board
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sqlmodel

import support_portal.db.types

revision: str = "0003_live_change"
down_revision: str | None = "0002_board"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("live_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_change_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_change_ticket_id"))
    op.drop_table("live_change")
