"""link runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:49:43.718232
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('ingests', sa.Text(), nullable=False),
    sa.Column('started_at', sa.String(length=32), nullable=False),
    sa.Column('finished_at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('threshold', sa.Double(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('clusters', sa.Integer(), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_run')),
    sa.UniqueConstraint('label', name=op.f('uq_link_run_label'))
    )


def downgrade() -> None:
    op.drop_table('link_run')
