"""sign_in_throttle: sign-in tries per email and per client address

Revision ID: 0003_sign_in_throttle
Revises: 0003_live_change
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import support_portal.db.types

revision: str = "0003_sign_in_throttle"
down_revision: str | None = "0003_live_change"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column(
            "window_started_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "locked_retry_at", support_portal.db.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
