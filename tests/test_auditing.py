"""Reading the audit log is a service function like every other: auditors and administrators
only, the refusal naming what was refused."""

from __future__ import annotations

import pytest

from fivesafes import audit
from fivesafes.auditing import read_log, verify_log
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment
from tests.conftest import Staff


def test_an_auditor_verifies_and_reads_the_log(home: Deployment, staff: Staff) -> None:
    result = verify_log(home, by=staff.auditor)
    assert result.intact and result.entries >= 4  # home.init, then three accounts
    entries = read_log(home, by=staff.admin)
    assert len(entries) == result.entries and entries[0]["action"] == "home.init"
    created = read_log(home, by=staff.auditor,
                       entries=audit.EntryFilter(action="governance.account.create"))
    assert [e["subject"] for e in created] == [f"account:{u}" for u in
                                               (staff.admin, staff.officer, staff.auditor)]


@pytest.mark.parametrize("reader", ["officer", "nobody"])
def test_anyone_else_is_refused(home: Deployment, staff: Staff, reader: str) -> None:
    with pytest.raises(PermissionDenied, match="read the audit log|not an active"):
        read_log(home, by=reader)
    with pytest.raises(PermissionDenied, match="verify the audit log|not an active"):
        verify_log(home, by=reader)
