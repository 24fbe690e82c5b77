"""announcements: topics and project kinds (seeded), subscriptions, announcements, the outbox

Revision ID: announcements_0001
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "announcements_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default topics and project kinds (DOMAIN.md); staff edit them later as data.
DEFAULT_TOPICS = [
    {"key": "projects", "name": "项目申报", "name_en": "Project calls", "has_kinds": True,
     "position": 10},
    {"key": "trainings", "name": "培训通知", "name_en": "Trainings", "has_kinds": False,
     "position": 20},
    {"key": "policy", "name": "政策资讯", "name_en": "Policy news", "has_kinds": False,
     "position": 30},
    {"key": "events", "name": "活动", "name_en": "Events", "has_kinds": False, "position": 40},
]
DEFAULT_KINDS = [
    ("community_building", "社区营造", "Community building"),
    ("elderly_care", "居家养老", "Home-based elderly care"),
    ("vagrant_relief", "流浪乞讨救助", "Vagrant and beggar relief"),
    ("talent_training", "社工人才培养", "Social-worker talent training"),
    ("seed_funding", "种子资金", "Seed funding"),
    ("culture_carnival", "公益文化嘉年华", "Public-welfare culture carnival"),
    ("party_services", "党组织服务群众", "Party-organisation services for residents"),
    ("venture_philanthropy", "公益创投大赛", "Venture-philanthropy contest"),
]


def upgrade() -> None:
    op.create_table("announcement_topics",
    sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column("has_kinds", sa.Boolean(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_table("outbox",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column("campaign_id", sa.Integer(), nullable=False),
    sa.Column("chat_id", sa.BigInteger(), nullable=False),
    sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column("paid", sa.Boolean(), nullable=False),
    sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("message_id", sa.Integer(), nullable=True),
    sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("campaign_kind", "campaign_id", "chat_id", name="uq_outbox_recipient")
    )
    op.create_index("ix_outbox_campaign", "outbox", ["campaign_kind", "campaign_id", "state"], unique=False)
    op.create_index("ix_outbox_due", "outbox", ["state", "not_before"], unique=False)
    op.create_table("project_kinds",
    sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_table("announcements",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("author_id", sa.BigInteger(), nullable=True),
    sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column("body_html", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column("photo_file_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column("document_file_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column("link_url", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
    sa.Column("details_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column("audience_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column("paid", sa.Boolean(), nullable=False),
    sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recipients", sa.Integer(), nullable=False),
    sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
    sa.Column("progress_message_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["author_id"], ["users.telegram_id"], ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_announcements_state"), "announcements", ["state"], unique=False)
    op.create_table("subscriber_preferences",
    sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column("kinds_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column("street", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("inactive_reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["telegram_id"], ["users.telegram_id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("telegram_id")
    )
    op.create_table("subscriptions",
    sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["telegram_id"], ["users.telegram_id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["topic"], ["announcement_topics.key"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("telegram_id", "topic")
    )
    topics = sa.table("announcement_topics", sa.column("key"), sa.column("name"),
                      sa.column("name_en"), sa.column("has_kinds"), sa.column("position"))
    op.bulk_insert(topics, DEFAULT_TOPICS)
    kinds = sa.table("project_kinds", sa.column("key"), sa.column("name"), sa.column("name_en"),
                     sa.column("position"))
    op.bulk_insert(kinds, [{"key": key, "name": name, "name_en": name_en, "position": index * 10}
                           for index, (key, name, name_en) in enumerate(DEFAULT_KINDS, 1)])


def downgrade() -> None:
    op.drop_table("subscriptions")
    op.drop_table("subscriber_preferences")
    op.drop_index(op.f("ix_announcements_state"), table_name="announcements")
    op.drop_table("announcements")
    op.drop_table("project_kinds")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_campaign", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("announcement_topics")
