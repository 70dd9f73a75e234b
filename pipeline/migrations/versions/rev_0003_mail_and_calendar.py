"""Mail intake and the calendar feed: ``mail_messages`` (each message taken in, once per mailbox and
UIDVALIDITY.UID, with its sender, subject, outcome and reasons) and ``calendar_tokens`` (each tenant's feed
token, as its sha256).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(), server_default="default", nullable=False),
        sa.Column("mailbox", sa.String(), nullable=False),
        sa.Column("message_key", sa.String(), nullable=False),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mail_messages"),
        sa.UniqueConstraint(
            "tenant", "mailbox", "message_key", name="uq_mail_messages_tenant_mailbox_message_key"
        ),
    )
    op.create_table(
        "calendar_tokens",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("token_sha256", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_calendar_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_calendar_tokens_token_sha256"),
    )


def downgrade() -> None:
    op.drop_table("calendar_tokens")
    op.drop_table("mail_messages")
