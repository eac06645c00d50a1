"""Governance: safe people (accreditation, training; accounts and roles are in
:mod:`fivesafes.accounts`), safe projects (projects,
teams, applications, panel reviews, accreditation), agreements, and the public register.

Every state change is a service function taking keyword arguments and ``by=`` (the acting
account's username); it checks the actor may do it, makes the change and writes the audit entry
in one transaction. See ``docs/governance.md``.
"""

from fivesafes.governance.access import (
    AccessDecision,
    Suspension,
    check_access,
    enforce_expiries,
    may_access,
    provision,
)
from fivesafes.governance.agreements import (
    import_agreement,
    link_agreement,
    list_agreements,
    record_agreement,
    terminate_agreement,
)
from fivesafes.governance.applications import (
    close,
    create_application,
    import_application,
    request_information,
    resubmit,
    resume_review,
    start_review,
    submit,
    update_application,
    withdraw,
)
from fivesafes.governance.catalogue import Published
from fivesafes.governance.lifecycle import TRANSITIONS, Party, State
from fivesafes.governance.people import (
    person_status,
    record_accreditation,
    record_training,
    revoke_accreditation,
)
from fivesafes.governance.projects import (
    add_member,
    create_project,
    import_project,
    project_view,
    reinstate_member,
    remove_member,
)
from fivesafes.governance.register import export_register, public_register
from fivesafes.governance.reviews import accredit, approve, declare_conflict, escalate, reject
from fivesafes.governance.views import application_view, list_applications

__all__ = [
    "AccessDecision", "Party", "Published", "State",
    "Suspension", "TRANSITIONS", "accredit", "add_member", "application_view",
    "approve", "check_access", "close", "create_application", "create_project", "declare_conflict",
    "enforce_expiries", "escalate", "export_register", "import_agreement",
    "import_application", "import_project", "link_agreement", "list_agreements",
    "list_applications", "may_access", "person_status", "project_view", "provision",
    "public_register", "record_accreditation", "record_agreement", "record_training",
    "reinstate_member", "reject", "remove_member", "request_information", "resubmit",
    "resume_review", "revoke_accreditation", "start_review", "submit", "terminate_agreement",
    "update_application", "withdraw",
]
