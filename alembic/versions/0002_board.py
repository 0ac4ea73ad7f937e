"""ticket.sla_check_at: when the SLA job next needs to look at a ticket

Revision ID: 0002_board
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import support_portal.db.types

revision: str = "0002_board"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sla_check_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_ticket_sla_check_at"), ["sla_check_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_sla_check_at"))
        batch_op.drop_column("sla_check_at")
