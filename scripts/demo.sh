#!/usr/bin/env bash
# The whole walk on synthetic data, with embedded defaults (SQLite, DuckDB): `make demo`.
# Each step is a real `fivesafes` command, as a linkage officer would type it.
set -euo pipefail
cd "$(dirname "$0")/.."
FS=".venv/bin/fivesafes"
PY=".venv/bin/python"
HOME_DIR="${DEMO_HOME:-demo-home}"
DATA_DIR="${DEMO_DATA:-demo-data}"
PEOPLE="${DEMO_PEOPLE:-50000}"
OWNER_DIR="${DEMO_AUDIT_OWNER:-demo-audit-owner}"  # the data owner's own folder, outside the home
SRS_DIR="${DEMO_SRS:-demo-srs}"  # the accredited processor's own folder
DFE_DIR="${DEMO_PARTNER:-demo-dfe}"  # the partner department's own machine
unset FIVESAFES_ACTOR  # each step names its account with --as
unset FIVESAFES_DB_URL  # the demo always uses the embedded SQLite store

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

# The demo's own folders are disposable: start afresh each time.
rm -rf "$HOME_DIR" "$DATA_DIR" "$OWNER_DIR" "$SRS_DIR" "$DFE_DIR"

step "1. Create a deployment home (zones, master key, metadata store, audit log)" \
  "$FS" init --demo "$HOME_DIR"
# Passwords are generated, used once through standard input, and never shown.
password() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))'; }
password | step "2. Bootstrap the first administrator (deny by default: every action needs an account)" \
  "$FS" admin create demo.admin --name "Demo Administrator" --email admin@fivesafes.example \
  --password-stdin --home "$HOME_DIR"
password | step "3. The administrator creates a linkage officer" \
  "$FS" people add l.officer --name "Lee Officer" --email l.officer@fivesafes.example \
  --role linkage_officer --password-stdin --home "$HOME_DIR" --as demo.admin
step "4. Generate synthetic court, prison and probation extracts ($PEOPLE people), and a partner department's pupil records" \
  "$FS" synth --people "$PEOPLE" --out "$DATA_DIR" --seed 42 --partner
step "5. Ingest every source: validate, quarantine bad rows, split identifiers from attributes" \
  "$FS" ingest --home "$HOME_DIR" --as l.officer "$DATA_DIR"/contracts/*.toml
step "6. A partner department (DfE) makes its keys on its own machine; the administrator registers it and writes its kit (no secret in it)" \
  "$FS" partner keygen --partner education --out "$DFE_DIR/keys"
"$FS" partner add education --organisation DfE --public "$DFE_DIR/keys/education.public.json" \
  --kit-out "$DFE_DIR/kit" --home "$HOME_DIR" --as demo.admin
step "7. DfE encodes its pupil records (keyed, hardened Bloom filters: no raw identifier leaves it); the linkage officer receives the two packages" \
  "$FS" partner prepare --contract "$DATA_DIR/partner/contracts/education.toml" \
  --key "$DFE_DIR/keys/education.keys.json" --kit "$DFE_DIR/kit/education.kit.json" \
  --out "$DFE_DIR/outgoing"
"$FS" partner receive "$DFE_DIR"/outgoing/education-* --partner education --home "$HOME_DIR" \
  --as l.officer
step "8. Link records about the same person across the five sources, and DfE's encoded records with them (Splink on DuckDB)" \
  "$FS" demo link --home "$HOME_DIR" --as l.officer
step "9. Publish research-ready datasets, show the catalogue, destroy the identifiers" \
  "$FS" demo publish --home "$HOME_DIR" --as l.officer
step "10. Safe people, projects and data: apply, assess the risk and take a suggestion, route to the panels, approve, provision the extract" \
  "$FS" demo governance --home "$HOME_DIR"
step "11. The public register of approved projects" \
  "$FS" register export --home "$HOME_DIR" --format json
step "12. The panels' view of the application's disclosure risk (and a page with its chart)" \
  "$FS" risk show A-0001 --home "$HOME_DIR" --as demo.admin --html "$HOME_DIR/risk-A-0001.html"
step "13. The project's extract: only the approved fields and rows, under project pseudonyms" \
  "$FS" extract manifest A-0001 --home "$HOME_DIR" --as l.officer
step "14. The researcher analyses the extract in the workspace (sandboxed, every query audited)" \
  "$FS" workspace query A-0001 --home "$HOME_DIR" --as r.khan \
  "SELECT outcome, count(*) AS cases FROM magistrates GROUP BY outcome ORDER BY cases DESC"
step "15. A second query: offence groups by ethnic group, across the linked datasets" \
  "$FS" workspace query A-0001 --home "$HOME_DIR" --as r.khan \
  "SELECT m.offence_group, p.ETHNICITY, count(*) AS cases FROM magistrates m JOIN prison p USING (person_id) GROUP BY ALL ORDER BY cases DESC LIMIT 8"
# An escape attempt must be refused (exit 4); the demo fails if it is not.
escape="SELECT * FROM read_csv('$HOME_DIR/linkage/quarantine/magistrates.csv')"
printf '\n\033[1m== %s\033[0m\n$ %s\n' "16. An escape attempt (reading a file of the linkage zone) is refused and audited" \
  "$FS workspace query A-0001 --as r.khan \"$escape\""
if "$FS" workspace query A-0001 --home "$HOME_DIR" --as r.khan "$escape"; then
  echo "the workspace ran a statement that reads a file: the demo stops here" >&2; exit 1
fi
step "17. The monitor's alerts, as the administrator sees them" \
  "$FS" workspace alerts --home "$HOME_DIR" --as demo.admin
step "18. A safe table: persons by outcome, checked (every count of distinct persons)" \
  "$FS" output table A-0001 magistrates --by outcome --name "Persons by outcome" \
  --home "$HOME_DIR" --as r.khan
step "19. A disclosive table: outcome by offence group; small cells and zeros withheld, the withholding verified" \
  "$FS" output table A-0001 magistrates --by offence_group --by outcome \
  --name "Outcomes by offence group" \
  --home "$HOME_DIR" --as r.khan
step "20. The researcher asks for both to be released" \
  "$FS" output request A-0001 O-0001 --home "$HOME_DIR" --as r.khan \
  --justification "The outcome distribution is the headline figure of the first paper." \
  --purpose "Research question 1: how often do cases lead to prison"
"$FS" output request A-0001 O-0002 --home "$HOME_DIR" --as r.khan \
  --justification "Outcomes by offence group show where custody concentrates." \
  --purpose "Research question 1: how often do cases lead to prison" \
  --exception "The checkers may judge whether the withheld cells are enough."
for checker in c.patel c.jones; do
  password | "$FS" people add "$checker" --name "Output checker $checker" \
    --email "$checker@fivesafes.example" --role output_checker --password-stdin \
    --home "$HOME_DIR" --as demo.admin > /dev/null
done
step "21. Two output checkers (not on the project) release the safe table" \
  "$FS" output review R-0001 --decision approve --home "$HOME_DIR" --as c.patel
"$FS" output review R-0001 --decision approve --home "$HOME_DIR" --as c.jones \
  --comments "Counts of at least 10 persons throughout."
step "22. ... and return the disclosive one with their findings" \
  "$FS" output review R-0002 --decision return --home "$HOME_DIR" --as c.patel \
  --comments "Robbery and sexual offences have mostly withheld cells: merge them into one group."
"$FS" output review R-0002 --decision return --home "$HOME_DIR" --as c.jones \
  --comments "Agreed: merge the small offence groups, or the rare outcomes."
step "23. What has left the workspace: the released zone" \
  "$FS" output released --home "$HOME_DIR" --as r.khan
step "24. What retention will destroy when its time is up (dry run)" \
  "$FS" retention enforce --dry-run --home "$HOME_DIR"
step "25. The extract goes to an accredited processor (the ONS SRS), encrypted to its key with a signed description" \
  "$FS" recipient keygen --out "$SRS_DIR/keys"
"$FS" recipient add ons-srs --organisation "Office for National Statistics" \
  --public-key "$(cat "$SRS_DIR/keys/recipient.pub")" --agreement DSA-DEMO-001 \
  --home "$HOME_DIR" --as demo.admin
"$FS" extract sender-key --out "$SRS_DIR/sender.pub" --home "$HOME_DIR" --as l.officer
"$FS" extract export A-0001 --recipient ons-srs --out "$SRS_DIR/inbox" --home "$HOME_DIR" \
  --as l.officer
step "26. The processor verifies the package and opens it with its own key" \
  "$FS" extract verify "$(ls -d "$SRS_DIR"/inbox/A-0001-*)" --sender-key "$SRS_DIR/sender.pub" \
  --identity "$SRS_DIR/keys/recipient.agekey" --out "$SRS_DIR/opened"
step "27. The data owner anchors the audit log: a checkpoint signed with a key kept outside the home" \
  "$FS" audit keygen --out "$OWNER_DIR/keys"
"$FS" audit anchor --home "$HOME_DIR" --as demo.admin --key "$OWNER_DIR/keys/audit-signing.key" \
  --out "$OWNER_DIR/anchors"
step "28. Prove the audit log is intact, and unchanged since the anchor (as the administrator)" \
  "$FS" audit verify --home "$HOME_DIR" --as demo.admin --anchors "$OWNER_DIR/anchors" \
  --trust "$OWNER_DIR/keys/audit-signing.pub"
step "29. What the audit log recorded" \
  "$FS" audit show --home "$HOME_DIR" --last 5 --as demo.admin

printf '\nDone. Home: %s   Extracts: %s\n' "$HOME_DIR" "$DATA_DIR"
printf 'Linkage quality report (its examples by record key: the identifiers were destroyed on publishing): %s/linkage/links/\n' "$HOME_DIR"
printf 'Released outputs, with their manifest: %s/released/\n' "$HOME_DIR"
printf 'Signed audit checkpoints (the data owner keeps these, outside the home): %s/anchors/\n' "$OWNER_DIR"
printf 'Research-ready datasets and their data dictionary: %s/research/\n' "$HOME_DIR"
