"""export recipients: accredited processors an extract may be exported to

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'export_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('organisation', sa.String(length=300), nullable=False),
        sa.Column('public_key', sa.String(length=200), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('status_reason', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.String(length=32), nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'],
                                name=op.f('fk_export_recipient_agreement_id_agreement')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_recipient')),
        sa.UniqueConstraint('name', name=op.f('uq_export_recipient_name')),
    )
    with op.batch_alter_table('export_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_recipient_agreement_id'), ['agreement_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('export_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_recipient_agreement_id'))
    op.drop_table('export_recipient')
