"""staff login

Revision ID: 0009_staff_login
Revises: 0008_version

On a team's PostgreSQL database each person signs in as themselves: the staff record names the
login (database user) they connect as (`smallhousing team add`). Every existing record has none.

Written against 0007_demo_marker; 0008_version (made at the same time) goes between the two when
both are merged.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009_staff_login'
down_revision = '0008_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild), as in 0005 and 0007
    op.add_column('staff', sa.Column('login', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_index(op.f('ix_staff_login'), 'staff', ['login'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_staff_login'), table_name='staff')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('login')
