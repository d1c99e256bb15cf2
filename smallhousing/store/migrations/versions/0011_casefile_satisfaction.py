"""case file, remedies and satisfaction

Revision ID: 0011_casefile_satisfaction
Revises: 0010_hazards_contractors

Files received and kept on the record (5.12); remedies worked out from the Ombudsman's
compensation guidance, with its sums in settings (7.2, 7.4); what residents think: satisfaction
after a complaint, TP09 survey counts, compliments, survey comments (1.6); the kind and date of an
Ombudsman order. Every existing remedy was typed in (no guidance kind); every existing order is an
order.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011_casefile_satisfaction'
down_revision = '0010_hazards_contractors'
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('service_request_id', sa.Integer(), nullable=True),
    sa.Column('file_name', _S(), nullable=False),
    sa.Column('stored_path', _S(), nullable=False),
    sa.Column('sha256', _S(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('media_type', _S(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('description', _S(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('erased_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ),
    sa.ForeignKeyConstraint(['service_request_id'], ['service_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    for c in ('complaint_id', 'hazard_id', 'service_request_id'):
        op.create_index(op.f(f'ix_attachment_{c}'), 'attachment', [c], unique=False)
    op.create_table('compensation_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _S(), nullable=False),
    sa.Column('label', _S(), nullable=False),
    sa.Column('unit', _S(), nullable=False),
    sa.Column('pence', sa.Integer(), nullable=False),
    sa.Column('guidance_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind')
    )
    op.create_table('satisfaction_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('channel', _S(), nullable=False),
    sa.Column('answer', _S(), nullable=False),
    sa.Column('comment', _S(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_satisfaction_answer_complaint_id'), 'satisfaction_answer', ['complaint_id'], unique=False)
    op.create_index(op.f('ix_satisfaction_answer_asked_on'), 'satisfaction_answer', ['asked_on'], unique=False)
    op.create_table('perception_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('measure', _S(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('neither', sa.Integer(), nullable=False),
    sa.Column('dissatisfied', sa.Integer(), nullable=False),
    sa.Column('dont_know', sa.Integer(), nullable=False),
    sa.Column('method', _S(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year')
    )
    op.create_table('compliment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', _S(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', _S(), nullable=False),
    sa.Column('team', _S(), nullable=False),
    sa.Column('words', _S(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    op.create_index(op.f('ix_compliment_received_on'), 'compliment', ['received_on'], unique=False)
    op.create_index(op.f('ix_compliment_resident_id'), 'compliment', ['resident_id'], unique=False)
    op.create_table('survey_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('survey', _S(), nullable=False),
    sa.Column('words', _S(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('how_to_complain_sent_on', sa.Date(), nullable=True),
    sa.Column('how_to_complain_route', _S(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_survey_comment_received_on'), 'survey_comment', ['received_on'], unique=False)
    op.create_index(op.f('ix_survey_comment_resident_id'), 'survey_comment', ['resident_id'], unique=False)
    # plain ADD COLUMN (no table rebuild), as in 0005
    op.add_column('remedy', sa.Column('guidance_kind', _S(), nullable=False, server_default=''))
    op.add_column('remedy', sa.Column('quantity', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('remedy', sa.Column('rate_pence', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('ombudsman_order', sa.Column('kind', _S(), nullable=False, server_default='order'))
    op.add_column('ombudsman_order', sa.Column('made_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ombudsman_order', schema=None) as batch_op:
        batch_op.drop_column('made_on')
        batch_op.drop_column('kind')
    with op.batch_alter_table('remedy', schema=None) as batch_op:
        batch_op.drop_column('rate_pence')
        batch_op.drop_column('quantity')
        batch_op.drop_column('guidance_kind')
    op.drop_table('survey_comment')
    op.drop_table('compliment')
    op.drop_table('perception_result')
    op.drop_table('satisfaction_answer')
    op.drop_table('compensation_rate')
    op.drop_table('attachment')
