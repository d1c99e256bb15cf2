"""attachment content

Revision ID: 0013_attachment_content
Revises: 0012_service_request_index

On a team's PostgreSQL database each computer keeps its own data folder: the bytes of each file
received are kept in the database as well (one row per content, by its SHA-256), and fetched into
the local folder when a computer lacks the file. A SQLite file leaves the table empty.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_attachment_content'
down_revision = '0012_service_request_index'
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('attachment_content',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', _S(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )


def downgrade() -> None:
    op.drop_table('attachment_content')
