"""hazards and contractors

Revision ID: 0010_hazards_contractors
Revises: 0009_staff_login

Awaab's Law hazards with the date of each step; contractors, what is put down to them and the
responses asked of them; service requests' target dates and their categories' targets (Code 1.4,
5.4, 5.5). Every existing record has no contractor and no target date.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010_hazards_contractors'
down_revision = '0009_staff_login'
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def _add_reference(table: str, column: str, target: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':  # SQLite adds a reference only with the column
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(f'fk_{table}_{column[:-3]}', table, target, [column], ['id'])
    op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def upgrade() -> None:
    op.create_table('contractor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', _S(), nullable=False),
    sa.Column('trade', _S(), nullable=False),
    sa.Column('contact', _S(), nullable=False),
    sa.Column('phone', _S(), nullable=False),
    sa.Column('email', _S(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notes', _S(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_contractor_name'), 'contractor', ['name'], unique=False)
    op.create_table('service_request_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', _S(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('category')
    )
    op.create_table('hazard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', _S(), nullable=False),
    sa.Column('kind', _S(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('address', _S(), nullable=False),
    sa.Column('description', _S(), nullable=False),
    sa.Column('aware_on', sa.Date(), nullable=False),
    sa.Column('aware_time', sa.Time(), nullable=True),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', _S(), nullable=False),
    sa.Column('service_request_id', sa.Integer(), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('contractor_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('investigated_on', sa.Date(), nullable=True),
    sa.Column('investigated_time', sa.Time(), nullable=True),
    sa.Column('findings', _S(), nullable=False),
    sa.Column('significant', sa.Boolean(), nullable=True),
    sa.Column('made_safe_on', sa.Date(), nullable=True),
    sa.Column('made_safe_time', sa.Time(), nullable=True),
    sa.Column('works_planned', _S(), nullable=False),
    sa.Column('works_due_on', sa.Date(), nullable=True),
    sa.Column('summary_sent_on', sa.Date(), nullable=True),
    sa.Column('summary_route', _S(), nullable=False),
    sa.Column('summary_file', _S(), nullable=False),
    sa.Column('summary_sha256', _S(), nullable=False),
    sa.Column('safety_work_begun_on', sa.Date(), nullable=True),
    sa.Column('further_work_needed', sa.Boolean(), nullable=False),
    sa.Column('further_work_started_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_reason', _S(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.ForeignKeyConstraint(['service_request_id'], ['service_request.id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['contractor_id'], ['contractor.id'], ),
    sa.ForeignKeyConstraint(['handler_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    for c in ('resident_id', 'aware_on', 'service_request_id', 'complaint_id', 'contractor_id'):
        op.create_index(op.f(f'ix_hazard_{c}'), 'hazard', [c], unique=False)
    op.create_table('contractor_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contractor_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('service_request_id', sa.Integer(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('what', _S(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer', _S(), nullable=False),
    sa.ForeignKeyConstraint(['contractor_id'], ['contractor.id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['service_request_id'], ['service_request.id'], ),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    for c in ('contractor_id', 'complaint_id', 'service_request_id', 'hazard_id', 'due_on'):
        op.create_index(op.f(f'ix_contractor_request_{c}'), 'contractor_request', [c], unique=False)
    # plain ADD COLUMN (no table rebuild), as in 0005
    _add_reference('complaint', 'contractor_id', 'contractor')
    _add_reference('service_request', 'contractor_id', 'contractor')
    op.add_column('service_request', sa.Column('target_on', sa.Date(), nullable=True))
    op.create_index(op.f('ix_service_request_target_on'), 'service_request', ['target_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_service_request_target_on'), table_name='service_request')
    for table in ('service_request', 'complaint'):
        op.drop_index(op.f(f'ix_{table}_contractor_id'), table_name=table)
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_column('target_on')
        batch_op.drop_column('contractor_id')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('contractor_id')
    op.drop_table('contractor_request')
    op.drop_table('hazard')
    op.drop_table('service_request_target')
    op.drop_table('contractor')
