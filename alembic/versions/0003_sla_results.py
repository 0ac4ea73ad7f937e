"""sla_result: what each SLA promise was and whether it was kept

Revision ID: 0003_sla_results
Revises: 0003_sign_in_throttle
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import support_portal.db.types

revision: str = "0003_sla_results"
down_revision: str | None = "0003_sign_in_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("started_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column(
            "breached_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(["assignee_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_result_target_decided", "sla_result", ["target", "decided_at"])
    op.create_index(op.f("ix_sla_result_ticket_id"), "sla_result", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sla_result_ticket_id"), table_name="sla_result")
    op.drop_index("ix_sla_result_target_decided", table_name="sla_result")
    op.drop_table("sla_result")
