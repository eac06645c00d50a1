"""research datasets say which jurisdictions and source systems they cover

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('research_dataset') as batch:
        batch.add_column(sa.Column('jurisdictions', sa.JSON(), nullable=False,
                                   server_default='[]'))
        batch.add_column(sa.Column('systems', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('research_dataset') as batch:
        batch.drop_column('systems')
        batch.drop_column('jurisdictions')
