"""step letters

Revision ID: 0006_step_letters
Revises: 0005_truthful_records

The letter each step owes the resident, and how and when it went out. Steps recorded before this
revision have no row: their letters were handled before the app tracked them.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006_step_letters'
down_revision = '0005_truthful_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('step_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('extension_id', sa.Integer(), nullable=True),
    sa.Column('step_on', sa.Date(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('route', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('correspondence_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['extension_id'], ['extension.id'], ),
    sa.ForeignKeyConstraint(['correspondence_id'], ['correspondence.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('step_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_letter_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_letter_sent_on'), ['sent_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('step_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_letter_sent_on'))
        batch_op.drop_index(batch_op.f('ix_step_letter_complaint_id'))
    op.drop_table('step_letter')
