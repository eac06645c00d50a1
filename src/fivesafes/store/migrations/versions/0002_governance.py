"""governance: accounts and roles, accreditation and training, projects and teams,
applications with requested datasets and fields, panel reviews, conflicts of interest, agreements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:30:59.404350
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('username', name=op.f('uq_account_username'))
    )
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('datasets', sa.JSON(), nullable=False),
    sa.Column('permitted_uses', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('protections', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('reference', name=op.f('uq_agreement_reference'))
    )
    op.create_table('accreditation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_accreditation_account_id_account')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['account.id'], name=op.f('fk_accreditation_supervisor_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditation'))
    )
    with op.batch_alter_table('accreditation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditation_account_id'), ['account_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('lay_summary', sa.Text(), nullable=False),
    sa.Column('public_benefit', sa.Text(), nullable=False),
    sa.Column('research_questions', sa.JSON(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('sensitive_topic', sa.Boolean(), nullable=False),
    sa.Column('rap_reference', sa.String(length=60), nullable=True),
    sa.Column('rap_accredited_on', sa.Date(), nullable=True),
    sa.Column('rap_expires_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['account.id'], name=op.f('fk_project_lead_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_lead_id'), ['lead_id'], unique=False)

    op.create_table('role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('panel', sa.String(length=60), nullable=False),
    sa.Column('granted_at', sa.String(length=32), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_role_grant_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grant')),
    sa.UniqueConstraint('account_id', 'role', 'panel', name=op.f('uq_role_grant_account_id'))
    )
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grant_account_id'), ['account_id'], unique=False)

    op.create_table('training_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('passed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_training_record_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_record'))
    )
    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_record_account_id'), ['account_id'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('gateway', sa.String(length=40), nullable=False),
    sa.Column('art6_basis', sa.String(length=40), nullable=False),
    sa.Column('art9_condition', sa.String(length=60), nullable=True),
    sa.Column('art10_condition', sa.String(length=60), nullable=True),
    sa.Column('ethics_reference', sa.String(length=100), nullable=False),
    sa.Column('dpia_reference', sa.String(length=100), nullable=False),
    sa.Column('coverage_from', sa.Date(), nullable=False),
    sa.Column('coverage_to', sa.Date(), nullable=False),
    sa.Column('jurisdictions', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('access_start', sa.Date(), nullable=False),
    sa.Column('access_end', sa.Date(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_application_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_state'), ['state'], unique=False)

    op.create_table('project_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('status_at', sa.String(length=32), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_project_member_account_id_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_member_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_member')),
    sa.UniqueConstraint('project_id', 'account_id', name=op.f('uq_project_member_project_id'))
    )
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_member_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_member_project_id'), ['project_id'], unique=False)

    op.create_table('agreement_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.String(length=32), nullable=False),
    sa.Column('linked_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_share_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_agreement_share_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_share')),
    sa.UniqueConstraint('agreement_id', 'application_id', name=op.f('uq_agreement_share_agreement_id'))
    )
    with op.batch_alter_table('agreement_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_share_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_share_application_id'), ['application_id'], unique=False)

    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=False),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_event_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)

    op.create_table('conflict_of_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_conflict_of_interest_account_id_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_conflict_of_interest_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_of_interest')),
    sa.UniqueConstraint('application_id', 'account_id', 'panel', name=op.f('uq_conflict_of_interest_application_id'))
    )
    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_of_interest_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflict_of_interest_application_id'), ['application_id'], unique=False)

    op.create_table('panel_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('panel', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('escalated_from', sa.String(length=60), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.String(length=32), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_panel_review_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_review'))
    )
    with op.batch_alter_table('panel_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_review_application_id'), ['application_id'], unique=False)

    op.create_table('requested_dataset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=60), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_requested_dataset_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requested_dataset')),
    sa.UniqueConstraint('application_id', 'name', name=op.f('uq_requested_dataset_application_id'))
    )
    with op.batch_alter_table('requested_dataset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requested_dataset_application_id'), ['application_id'], unique=False)

    op.create_table('requested_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=100), nullable=False),
    sa.Column('sensitivity', sa.String(length=30), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('why_not_coarser', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['requested_dataset.id'], name=op.f('fk_requested_field_dataset_id_requested_dataset')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requested_field')),
    sa.UniqueConstraint('dataset_id', 'name', name=op.f('uq_requested_field_dataset_id'))
    )
    with op.batch_alter_table('requested_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requested_field_dataset_id'), ['dataset_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('requested_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requested_field_dataset_id'))

    op.drop_table('requested_field')
    with op.batch_alter_table('requested_dataset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requested_dataset_application_id'))

    op.drop_table('requested_dataset')
    with op.batch_alter_table('panel_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_review_application_id'))

    op.drop_table('panel_review')
    with op.batch_alter_table('conflict_of_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_of_interest_application_id'))
        batch_op.drop_index(batch_op.f('ix_conflict_of_interest_account_id'))

    op.drop_table('conflict_of_interest')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    with op.batch_alter_table('agreement_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_share_application_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_share_agreement_id'))

    op.drop_table('agreement_share')
    with op.batch_alter_table('project_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_member_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_member_account_id'))

    op.drop_table('project_member')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_state'))
        batch_op.drop_index(batch_op.f('ix_application_project_id'))

    op.drop_table('application')
    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_record_account_id'))

    op.drop_table('training_record')
    with op.batch_alter_table('role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grant_account_id'))

    op.drop_table('role_grant')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_lead_id'))

    op.drop_table('project')
    with op.batch_alter_table('accreditation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditation_account_id'))

    op.drop_table('accreditation')
    op.drop_table('agreement')
    op.drop_table('account')
