"""places: the district's streets and communities

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("street_en", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("community_en", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("street", "community", name="uq_places_street_community"),
    )


def downgrade() -> None:
    op.drop_table("places")
