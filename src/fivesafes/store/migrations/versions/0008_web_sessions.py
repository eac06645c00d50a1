"""web sessions: signed-in browsers (token digests) and sign-in throttling

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 13:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=200), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('last_seen_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_web_session_token_sha256')),
    )
    op.create_index(op.f('ix_web_session_username'), 'web_session', ['username'], unique=False)
    op.create_table(
        'sign_in_throttle',
        sa.Column('username', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_sign_in_throttle')),
    )


def downgrade() -> None:
    op.drop_table('sign_in_throttle')
    op.drop_index(op.f('ix_web_session_username'), table_name='web_session')
    op.drop_table('web_session')
