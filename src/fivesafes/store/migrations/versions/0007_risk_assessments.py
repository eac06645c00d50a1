"""risk assessments: an application's disclosure risk assessments, and the one each panel
decision saw

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('assessed_at', sa.String(length=32), nullable=False),
        sa.Column('assessed_by', sa.String(length=200), nullable=False),
        sa.Column('request_sha256', sa.String(length=64), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('k', sa.Integer(), nullable=False),
        sa.Column('persons', sa.Integer(), nullable=False),
        sa.Column('below_k', sa.Integer(), nullable=False),
        sa.Column('uniques', sa.Integer(), nullable=False),
        sa.Column('max_risk', sa.Float(), nullable=False),
        sa.Column('meets_threshold', sa.Boolean(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('figures_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('risk_assessment') as batch:
        batch.create_index(batch.f('ix_risk_assessment_application_id'), ['application_id'],
                           unique=False)
    with op.batch_alter_table('panel_review') as batch:
        batch.add_column(sa.Column('risk_assessment_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_panel_review_risk_assessment_id_risk_assessment', 'risk_assessment',
                                 ['risk_assessment_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('panel_review') as batch:
        batch.drop_constraint('fk_panel_review_risk_assessment_id_risk_assessment', type_='foreignkey')
        batch.drop_column('risk_assessment_id')
    with op.batch_alter_table('risk_assessment') as batch:
        batch.drop_index(batch.f('ix_risk_assessment_application_id'))
    op.drop_table('risk_assessment')
