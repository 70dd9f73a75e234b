"""A scanned stack's notices are documents of their own, joined to the stack they came in: ``documents``
gets ``parent_id`` (the stack's document id, null for a document sent alone) and ``superseded_at`` (when a
person moved a boundary and the notice was derived anew under another page range).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("parent_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_documents_parent", "documents", ["tenant", "parent_id"])


def downgrade() -> None:
    op.drop_index("ix_documents_parent", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("superseded_at")
        batch.drop_column("parent_id")
