"""kb: knowledge-base entries, synonyms (seeded), suggestions, and the full-text index

Revision ID: kb_0001
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "kb_0001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("hotline_0001",)

# Words the district uses for the same thing; staff add more with `hotline kb synonym`.
SYNONYM_GROUPS = {
    "social_worker": ["社工", "社会工作者", "社工师"],
    "purchase": ["购买服务", "政府购买服务", "政府采购"],
    "supervision": ["督导", "专业督导", "supervision"],
    "funds": ["经费", "资金", "项目资金", "款项"],
    "accounting": ["记账", "入账", "做账", "核算", "报账"],
    "invoice": ["发票", "票据"],
    "contract": ["合同", "协议", "contract"],
    "will": ["遗嘱", "will"],
    "elderly": ["老人", "老年人", "长者", "elderly"],
    "volunteer": ["志愿者", "义工", "volunteer"],
    "assessment": ["评估", "考核", "评审"],
    "application": ["申报", "申请"],
    "community": ["社区", "居委会"],
    "subsistence": ["低保", "最低生活保障", "最低生活保障金"],
    "domestic_violence": ["家暴", "家庭暴力"],
    "divorce": ["离婚", "离异"],
    "child": ["孩子", "儿童", "未成年人", "小孩"],
    "report": ["上报", "报告"],
    "personal_data": ["个人信息", "个人资料", "隐私信息"],
    "qualification": ["资格", "资质"],
    "peer": ["朋辈", "同辈", "同伴"],
    "payment": ["支付", "付款", "付钱"],
    "limit": ["限额", "金额限制", "额度"],
    "agency": ["社工机构", "社会工作服务机构", "社工组织"],
    "protection_order": ["人身安全保护令", "人身保护令", "保护令"],
    "burnout": ["职业倦怠", "倦怠", "倦怠感"],
    "surplus": ["结余", "剩余", "剩下"],
    "replace": ["更换", "换"],
    "external": ["外聘", "外请"],
    "pay_tax": ["缴纳", "交纳", "缴"],
    "wrong": ["开错", "写错", "填错"],
}


def upgrade() -> None:
    op.create_table('kb_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('attachments', sa.Text(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source_case_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.Column('shown_count', sa.Integer(), nullable=False),
    sa.Column('question_tokens', sa.Text(), nullable=False),
    sa.Column('answer_tokens', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['source_case_id'], ['hotline_cases.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.telegram_id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_entries_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_entries_status'), ['status'], unique=False)

    synonyms = op.create_table('kb_synonyms',
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('group_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('term')
    )
    with op.batch_alter_table('kb_synonyms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_synonyms_group_key'), ['group_key'], unique=False)
    op.bulk_insert(synonyms, [{"term": term, "group_key": group}
                              for group, terms in SYNONYM_GROUPS.items() for term in terms])

    op.create_table('kb_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.BigInteger(), nullable=False),
    sa.Column('entry_ids', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('chosen_entry_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asker_id'], ['users.telegram_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kb_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_suggestions_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_suggestions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_suggestions_outcome'), ['outcome'], unique=False)

    # The full-text index over the pre-segmented words (see storage/repositories/kb_index.py).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE kb_search (entry_id INTEGER PRIMARY KEY "
                   "REFERENCES kb_entries(id) ON DELETE CASCADE, document tsvector NOT NULL)")
        op.execute("CREATE INDEX kb_search_document ON kb_search USING gin (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE kb_fts USING fts5(question, answer, "
                   "tokenize = 'unicode61 remove_diacritics 2')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE kb_search")
    else:
        op.execute("DROP TABLE kb_fts")
    op.drop_table('kb_suggestions')
    op.drop_table('kb_synonyms')
    op.drop_table('kb_entries')
