"""A document may be in several cases: a notice listing several tax periods (a CP504 or LT11 with
``periods``) belongs to the case of each period it lists. ``case_notices`` is unique per tenant, document
and case instead of per tenant and document.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_notices") as batch:
        batch.drop_constraint("uq_case_notices_tenant_document_id", type_="unique")
        batch.create_unique_constraint(
            "uq_case_notices_tenant_document_id_case_id", ["tenant", "document_id", "case_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_notices") as batch:
        batch.drop_constraint("uq_case_notices_tenant_document_id_case_id", type_="unique")
        batch.create_unique_constraint("uq_case_notices_tenant_document_id", ["tenant", "document_id"])
