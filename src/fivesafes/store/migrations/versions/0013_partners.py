"""partners: other departments' keys and received packages; ingested sources name their partner

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'partner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('organisation', sa.String(length=300), nullable=False),
        sa.Column('signing_key', sa.String(length=100), nullable=False),
        sa.Column('agreement_key', sa.String(length=100), nullable=False),
        sa.Column('home_agreement_key', sa.String(length=80), nullable=False),
        sa.Column('linkage_secret', sa.String(length=80), nullable=False),
        sa.Column('identifiers_identity', sa.String(length=80), nullable=False),
        sa.Column('attributes_identity', sa.String(length=80), nullable=False),
        sa.Column('key_check', sa.String(length=32), nullable=False),
        sa.Column('encoding', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('registered_at', sa.String(length=32), nullable=False),
        sa.Column('registered_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
        sa.UniqueConstraint('name', name=op.f('uq_partner_name')),
    )
    op.create_table(
        'partner_package',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('package_id', sa.String(length=40), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=60), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('payload_sha256', sa.String(length=64), nullable=False),
        sa.Column('ingest_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.String(length=32), nullable=False),
        sa.Column('received_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'],
                                name=op.f('fk_partner_package_partner_id_partner')),
        sa.ForeignKeyConstraint(['ingest_id'], ['ingest_run.id'],
                                name=op.f('fk_partner_package_ingest_id_ingest_run')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_package')),
        sa.UniqueConstraint('package_id', name=op.f('uq_partner_package_package_id')),
    )
    with op.batch_alter_table('partner_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_package_partner_id'), ['partner_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_partner_package_ingest_id'), ['ingest_id'],
                              unique=False)
    with op.batch_alter_table('ingested_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner', sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ingested_source', schema=None) as batch_op:
        batch_op.drop_column('partner')
    with op.batch_alter_table('partner_package', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_package_ingest_id'))
        batch_op.drop_index(batch_op.f('ix_partner_package_partner_id'))
    op.drop_table('partner_package')
    op.drop_table('partner')
