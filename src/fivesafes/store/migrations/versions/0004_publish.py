"""publish: person-id runs, releases, research-ready datasets with their versions and fields,
reference lookups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:00:50.750526
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_id_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_label', sa.String(length=40), nullable=False),
    sa.Column('previous_link', sa.String(length=40), nullable=True),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_id_run')),
    sa.UniqueConstraint('link_label', name=op.f('uq_person_id_run_link_label'))
    )
    op.create_table('reference_lookup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('key_column', sa.String(length=100), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('applies_to', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('registered_at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_lookup')),
    sa.UniqueConstraint('name', name=op.f('uq_reference_lookup_name'))
    )
    op.create_table('research_dataset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_dataset')),
    sa.UniqueConstraint('name', name=op.f('uq_research_dataset_name'))
    )
    op.create_table('research_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('link_label', sa.String(length=40), nullable=False),
    sa.Column('person_run_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['person_run_id'], ['person_id_run.id'], name=op.f('fk_research_release_person_run_id_person_id_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_release')),
    sa.UniqueConstraint('label', name=op.f('uq_research_release_label'))
    )
    with op.batch_alter_table('research_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_release_link_label'), ['link_label'], unique=False)

    op.create_table('research_dataset_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('folder', sa.String(length=500), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('date_field', sa.String(length=200), nullable=True),
    sa.Column('date_from', sa.String(length=10), nullable=True),
    sa.Column('date_to', sa.String(length=10), nullable=True),
    sa.Column('ingests', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.String(length=32), nullable=False),
    sa.Column('superseded_at', sa.String(length=32), nullable=True),
    sa.Column('removed_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['dataset_id'], ['research_dataset.id'], name=op.f('fk_research_dataset_version_dataset_id_research_dataset')),
    sa.ForeignKeyConstraint(['release_id'], ['research_release.id'], name=op.f('fk_research_dataset_version_release_id_research_release')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_dataset_version')),
    sa.UniqueConstraint('dataset_id', 'version', name=op.f('uq_research_dataset_version_dataset_id'))
    )
    with op.batch_alter_table('research_dataset_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_dataset_version_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_dataset_version_release_id'), ['release_id'], unique=False)

    op.create_table('research_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('sensitivity', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('derived_from', sa.String(length=200), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['research_dataset_version.id'], name=op.f('fk_research_field_version_id_research_dataset_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_field')),
    sa.UniqueConstraint('version_id', 'name', name=op.f('uq_research_field_version_id'))
    )
    with op.batch_alter_table('research_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_research_field_version_id'), ['version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('research_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_field_version_id'))

    op.drop_table('research_field')
    with op.batch_alter_table('research_dataset_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_dataset_version_release_id'))
        batch_op.drop_index(batch_op.f('ix_research_dataset_version_dataset_id'))

    op.drop_table('research_dataset_version')
    with op.batch_alter_table('research_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_release_link_label'))

    op.drop_table('research_release')
    op.drop_table('research_dataset')
    op.drop_table('reference_lookup')
    op.drop_table('person_id_run')
