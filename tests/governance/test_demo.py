"""The governance demo walk: applies, routes, approves, accredits, provisions, publishes; never
shows a password."""

from __future__ import annotations

import json

from fivesafes import audit
from fivesafes.governance import demo, register


def test_the_demo_walks_an_application_to_the_public_register(home, monkeypatch):
    made: list[str] = []
    original = demo._password

    def recording() -> str:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(demo, "_password", recording)
    lines = demo.run_demo(home)
    text = "\n".join(lines)
    assert "routed to HMCTS Data Access Panel -> Data Access Group -> Data Access Governance " \
           "Board -> National Research Committee -> Research Accreditation Panel" in text
    assert "National Research Committee: approved by panel.nrc" in text
    assert "A-0001 provisioned for r.khan, j.osei" in text
    assert lines[-2].startswith("public register: P-0001 'Pathways from magistrates' courts "
                                "into prison'")
    (entry,) = register.public_register(home).entries
    assert entry.datasets == ("magistrates (2024-06)", "prison (2024-09)")
    with home.store.reading() as session:
        assert audit.verify(session).intact
        logged = json.dumps(audit.as_dicts(audit.query(session)))
    assert len(made) == 9 and len(set(made)) == 9  # admin, 2 researchers, linkage, 5 panels
    assert not any(p in text or p in logged for p in made)
