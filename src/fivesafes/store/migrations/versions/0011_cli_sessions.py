"""command-line sessions: a signed-in session belongs to a channel, web or cli

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # every session before this revision was a browser's
    with op.batch_alter_table('web_session') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=8), nullable=False,
                                   server_default='web'))


def downgrade() -> None:
    op.execute("DELETE FROM web_session WHERE channel <> 'web'")
    with op.batch_alter_table('web_session') as batch:
        batch.drop_column('channel')
