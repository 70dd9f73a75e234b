"""Cases: ``cases`` (one per tenant, taxpayer, form and tax year, with the facts derived from its open
notices: status, earliest deadline, highest priority, stage, count, and the lead, its most urgent open
notice: the queue's one row for it), ``case_notices`` (which case each document is in, in the order they
were first stored, with its content key for recognising copies and, for a copy or a superseded notice,
the document linked to) and ``case_events`` (what a person recorded for a whole case on a day: a payment
plan agreed, a notice disputed). Existing results are linked when they are next saved, replaced or
reviewed.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(), server_default="default", nullable=False),
        sa.Column("case_key", sa.Text(), nullable=False),
        sa.Column("key_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column("lead_document_id", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("tenant", "case_key", name="uq_cases_tenant_case_key"),
    )
    op.create_index("ix_cases_queue", "cases", ["tenant", "status", "priority", "deadline"])
    op.create_table(
        "case_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(), server_default="default", nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.Text(), nullable=True),
        sa.Column("linked_to", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_notices_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["tenant", "document_id"],
            ["documents.tenant", "documents.document_id"],
            name="fk_case_notices_tenant_document_id_documents",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_notices"),
        sa.UniqueConstraint("tenant", "document_id", name="uq_case_notices_tenant_document_id"),
    )
    op.create_index("ix_case_notices_case", "case_notices", ["case_id"])
    op.create_index("ix_case_notices_content", "case_notices", ["tenant", "content_key"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(), server_default="default", nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("document_id", sa.String(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_index("ix_case_notices_content", table_name="case_notices")
    op.drop_index("ix_case_notices_case", table_name="case_notices")
    op.drop_table("case_notices")
    op.drop_index("ix_cases_queue", table_name="cases")
    op.drop_table("cases")
