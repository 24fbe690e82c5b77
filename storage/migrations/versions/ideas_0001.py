"""ideas: public-benefit ideas, their statuses (seeded), history, supports and reports

Revision ID: ideas_0001
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "ideas_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default review statuses; staff change them later with `hotline ideas status ...`.
DEFAULT_STATUSES = [
    {"key": "submitted", "name_zh": "已提交", "name_en": "Submitted", "position": 10,
     "public": False, "open": True},
    {"key": "under_review", "name_zh": "审核中", "name_en": "Under review", "position": 20,
     "public": False, "open": True},
    {"key": "accepted", "name_zh": "已采纳", "name_en": "Accepted", "position": 30,
     "public": True, "open": True},
    {"key": "in_progress", "name_zh": "实施中", "name_en": "In progress", "position": 40,
     "public": True, "open": True},
    {"key": "implemented", "name_zh": "已实施", "name_en": "Implemented", "position": 50,
     "public": True, "open": False},
    {"key": "not_adopted", "name_zh": "未采纳", "name_en": "Not adopted", "position": 60,
     "public": False, "open": False},
]


def upgrade() -> None:
    op.create_table('idea_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('idea_staff_topics',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id')
    )
    op.create_table('idea_statuses',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.bulk_insert(sa.table(
        "idea_statuses",
        sa.column("key", sa.String), sa.column("name_zh", sa.String),
        sa.column("name_en", sa.String), sa.column("position", sa.Integer),
        sa.column("public", sa.Boolean), sa.column("open", sa.Boolean),
    ), DEFAULT_STATUSES)
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('author_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('solution', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('street', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('community', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('photo_file_id', sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('published_status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('published_answer', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('staff_answered', sa.Boolean(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edit_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.telegram_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['ideas.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference', name='uq_ideas_reference')
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_published_status'), ['published_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_status'), ['status'], unique=False)

    op.create_table('idea_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_events_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_reports',
    sa.Column('idea_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telegram_id'], ['users.telegram_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'telegram_id')
    )
    op.create_table('idea_supports',
    sa.Column('idea_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telegram_id'], ['users.telegram_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'telegram_id')
    )


def downgrade() -> None:
    op.drop_table('idea_supports')
    op.drop_table('idea_reports')
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_events_idea_id'))

    op.drop_table('idea_events')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_status'))
        batch_op.drop_index(batch_op.f('ix_ideas_published_status'))
        batch_op.drop_index(batch_op.f('ix_ideas_created_at'))
        batch_op.drop_index(batch_op.f('ix_ideas_author_id'))

    op.drop_table('ideas')
    op.drop_table('idea_statuses')
    op.drop_table('idea_staff_topics')
    op.drop_table('idea_sequences')
