"""foundation: audit log and ingest records

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 13:18:36.198285
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_subject'), ['subject'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('seal', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('ingest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.String(length=32), nullable=False),
    sa.Column('finished_at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('data_key', sa.String(length=80), nullable=False),
    sa.Column('identifiers', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_run')),
    sa.UniqueConstraint('label', name=op.f('uq_ingest_run_label'))
    )
    op.create_table('ingested_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('contract', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_quarantined', sa.Integer(), nullable=False),
    sa.Column('attributes_path', sa.String(length=500), nullable=False),
    sa.Column('identifiers_path', sa.String(length=500), nullable=False),
    sa.Column('quarantine_path', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingest_run.id'], name=op.f('fk_ingested_source_ingest_id_ingest_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingested_source')),
    sa.UniqueConstraint('ingest_id', 'source', name=op.f('uq_ingested_source_ingest_id'))
    )
    with op.batch_alter_table('ingested_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingested_source_ingest_id'), ['ingest_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ingested_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingested_source_ingest_id'))

    op.drop_table('ingested_source')
    op.drop_table('ingest_run')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_subject'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
