"""Sessions of the review pages ended by a sign-out before they expire: ``revoked_sessions`` holds each one's
id (a digest, never the cookie) until it would have expired anyway.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_sessions",
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name="pk_revoked_sessions"),
    )


def downgrade() -> None:
    op.drop_table("revoked_sessions")
