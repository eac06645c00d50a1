"""Export recipients: the accredited processors (such as the ONS Secure Research Service) that a
project's extract may be exported to. Each one is a record with a name, the organisation, its age
X25519 public key (the only key a package is encrypted to), and the data sharing agreement that
names the organisation as a party. Administrators register and retire them; linkage officers,
administrators and auditors list them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyrage
from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.errors import FivesafesError, InvalidForm, NotFound, Problem
from fivesafes.extracts.models import ExportRecipient
from fivesafes.governance.agreements import get_agreement
from fivesafes.governance.models import Agreement
from fivesafes.home import Deployment

ACTIVE, RETIRED = "active", "retired"
READERS = (Role.LINKAGE_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR)


@dataclass(frozen=True)
class RecipientView:
    name: str
    organisation: str
    public_key: str
    agreement: str
    status: str
    recorded_at: str
    recorded_by: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def parse_public_key(text: str) -> x25519.Recipient:
    """An age X25519 recipient (``age1...``), or a clear error."""
    try:
        return x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError):
        raise FivesafesError(f"'{text.strip()[:20]}...' is not an age public key: give the "
                             "recipient's 'age1...' line (from 'fivesafes recipient keygen' or "
                             "age-keygen)") from None


def get_recipient(session: Session, name: str) -> ExportRecipient:
    found = session.execute(select(ExportRecipient).where(ExportRecipient.name == name)
                            ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no export recipient '{name}'; an administrator registers it with "
                       "'fivesafes recipient add'")
    return found


def _view(session: Session, recipient: ExportRecipient) -> RecipientView:
    agreement = session.get(Agreement, recipient.agreement_id)
    return RecipientView(recipient.name, recipient.organisation, recipient.public_key,
                         agreement.reference if agreement else "", recipient.status,
                         recipient.recorded_at, recipient.recorded_by)


def add_recipient(deployment: Deployment, *, by: str, name: str, organisation: str,
                  public_key: str, agreement: str) -> RecipientView:
    """Register ``name``. The agreement must be a data sharing agreement that names
    ``organisation`` among its parties. Every problem is reported at once."""
    problems: list[Problem] = []
    if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        problems.append(Problem("name", "use letters, digits, '-', '_' or '.', e.g. ons-srs"))
    try:
        parse_public_key(public_key)
    except FivesafesError as exc:
        problems.append(Problem("public key", str(exc)))
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.ADMINISTRATOR,), "register an export recipient")
        found = get_agreement(session, agreement)
        if found.kind != "dsa":
            problems.append(Problem("agreement", f"{found.reference} is a {found.kind}, not a "
                                                 "data sharing agreement"))
        elif organisation not in found.parties:
            problems.append(Problem("organisation", f"'{organisation}' is not a party to "
                                    f"{found.reference} (parties: {', '.join(found.parties)})"))
        if session.execute(select(ExportRecipient.id).where(ExportRecipient.name == name)
                           ).first():
            problems.append(Problem("name", f"an export recipient '{name}' already exists"))
        if problems:
            raise InvalidForm(f"export recipient '{name}'", problems)
        at = audit.utc_iso(deployment.clock())
        recipient = ExportRecipient(name=name, organisation=organisation,
                                    public_key=public_key.strip(), agreement_id=found.id,
                                    status=ACTIVE, status_reason="", recorded_at=at,
                                    recorded_by=by)
        session.add(recipient)
        audit.record(session, by=by, action="extract.recipient.add", subject=f"recipient:{name}",
                     details={"organisation": organisation, "agreement": found.reference,
                              "public_key": recipient.public_key}, at=deployment.clock())
        session.flush()
        return _view(session, recipient)


def retire_recipient(deployment: Deployment, *, by: str, name: str, reason: str) -> None:
    """No further package may be exported to ``name``."""
    if not reason.strip():
        raise FivesafesError("say why the recipient is retired (--reason)")
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.ADMINISTRATOR,), "retire an export recipient")
        recipient = get_recipient(session, name)
        recipient.status, recipient.status_reason = RETIRED, reason.strip()
        audit.record(session, by=by, action="extract.recipient.retire",
                     subject=f"recipient:{name}", details={"reason": reason.strip()},
                     at=deployment.clock())


def list_recipients(deployment: Deployment, *, by: str) -> list[RecipientView]:
    with deployment.store.reading() as session:
        authorise(session, by, READERS, "list export recipients")
        found = session.execute(select(ExportRecipient).order_by(ExportRecipient.name)).scalars()
        return [_view(session, r) for r in found]
