"""reporting tables: self-assessment entries and Ombudsman orders

Revision ID: 0002_reporting
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0002_reporting'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('self_assessment_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('provision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('complies', sa.Boolean(), nullable=True),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('commentary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('self_assessment_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_entry_year'), ['year'], unique=False)

    op.create_table('ombudsman_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('complied_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['ombudsman_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ombudsman_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ombudsman_order_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ombudsman_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ombudsman_order_case_id'))

    op.drop_table('ombudsman_order')
    with op.batch_alter_table('self_assessment_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_entry_year'))

    op.drop_table('self_assessment_entry')
