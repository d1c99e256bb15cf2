"""version

Revision ID: 0008_version
Revises: 0007_demo_marker

Several people saving at once (PostgreSQL): each complaint counts its saves (``complaint.version``)
so that a form saved from an older reading of the complaint is refused, never written over someone
else's change; and ``audit_anchor`` holds, for a database on a server, the audit key and the log's
head that a single file keeps beside it (services/audit_anchor.py). Existing complaints start at 1.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008_version'
down_revision = '0007_demo_marker'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild), as in 0005
    op.add_column('complaint', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.create_table('audit_anchor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.LargeBinary(), nullable=True),
    sa.Column('last_id', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''),
    sa.Column('entries', sa.Integer(), nullable=False, server_default='0'),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('audit_anchor')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('version')
