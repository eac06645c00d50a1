from fivesafes import audit


def test_home_starts_with_one_intact_audit_entry(home):
    with home.store.reading() as session:
        result = audit.verify(session)
    assert result.intact and result.entries == 1
