"""safe outputs: a project's outputs, requests to release them, output checkers' reviews

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 13:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'output_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('requested_at', sa.String(length=32), nullable=False),
        sa.Column('justification', sa.Text(), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('exception', sa.Text(), nullable=False),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('decided_at', sa.String(length=32), nullable=True),
        sa.Column('folder', sa.String(length=500), nullable=True),
        sa.Column('manifest_sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_output_request_application_id_application')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_output_request_project_id_project')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_output_request')),
    )
    for column in ('application_id', 'project_id', 'status'):
        op.create_index(op.f(f'ix_output_request_{column}'), 'output_request', [column],
                        unique=False)
    op.create_table(
        'project_output',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('spec', sa.JSON(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('ledger', sa.JSON(), nullable=False),
        sa.Column('check_status', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_project_output_application_id_application')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_project_output_project_id_project')),
        sa.ForeignKeyConstraint(['request_id'], ['output_request.id'],
                                name=op.f('fk_project_output_request_id_output_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_output')),
    )
    for column in ('application_id', 'project_id', 'status', 'request_id'):
        op.create_index(op.f(f'ix_project_output_{column}'), 'project_output', [column],
                        unique=False)
    op.create_table(
        'output_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('checker', sa.String(length=200), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('comments', sa.Text(), nullable=False),
        sa.Column('conflicts', sa.JSON(), nullable=False),
        sa.Column('at', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['output_request.id'],
                                name=op.f('fk_output_review_request_id_output_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_output_review')),
        sa.UniqueConstraint('request_id', 'checker', name=op.f('uq_output_review_request_id')),
    )
    op.create_index(op.f('ix_output_review_request_id'), 'output_review', ['request_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_output_review_request_id'), table_name='output_review')
    op.drop_table('output_review')
    for column in ('application_id', 'project_id', 'status', 'request_id'):
        op.drop_index(op.f(f'ix_project_output_{column}'), table_name='project_output')
    op.drop_table('project_output')
    for column in ('application_id', 'project_id', 'status'):
        op.drop_index(op.f(f'ix_output_request_{column}'), table_name='output_request')
    op.drop_table('output_request')
