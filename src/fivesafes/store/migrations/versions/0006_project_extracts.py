"""project extracts: one row per build of an application's minimised extract

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'project_extract',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('build', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('folder', sa.String(length=500), nullable=False),
        sa.Column('data_key', sa.String(length=100), nullable=False),
        sa.Column('pseudonym_key', sa.String(length=100), nullable=False),
        sa.Column('manifest', sa.JSON(), nullable=False),
        sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('persons', sa.Integer(), nullable=False),
        sa.Column('built_at', sa.String(length=32), nullable=False),
        sa.Column('built_by', sa.String(length=200), nullable=False),
        sa.Column('superseded_at', sa.String(length=32), nullable=True),
        sa.Column('destroyed_at', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id']),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'build'),
    )
    with op.batch_alter_table('project_extract') as batch:
        batch.create_index(batch.f('ix_project_extract_application_id'), ['application_id'],
                           unique=False)
        batch.create_index(batch.f('ix_project_extract_project_id'), ['project_id'],
                           unique=False)
        batch.create_index(batch.f('ix_project_extract_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('project_extract') as batch:
        batch.drop_index(batch.f('ix_project_extract_status'))
        batch.drop_index(batch.f('ix_project_extract_project_id'))
        batch.drop_index(batch.f('ix_project_extract_application_id'))
    op.drop_table('project_extract')
