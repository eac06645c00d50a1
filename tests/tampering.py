"""What an operator with shell access and the database owner's rights can do before editing the
audit log behind the application's back: lift the append-only triggers (migration 0010). The
tamper tests start with this, so they show what the hash chain, the sealed head and the signed
anchors detect once the triggers are out of the way."""

from __future__ import annotations

import sqlalchemy as sa


def lift_append_only_guard(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_entry_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_entry_no_delete"))
