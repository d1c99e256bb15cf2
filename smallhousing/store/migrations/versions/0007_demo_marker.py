"""demo marker

Revision ID: 0007_demo_marker
Revises: 0006_step_letters

A file of made-up records says so in its own settings (landlord_settings.demo), so that every
screen, letter and report made from it carries a DEMO marker. Every existing file is a landlord's
own: the column starts false.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_demo_marker'
down_revision = '0006_step_letters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild), as in 0005
    op.add_column('landlord_settings', sa.Column('demo', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('landlord_settings', schema=None) as batch_op:
        batch_op.drop_column('demo')
