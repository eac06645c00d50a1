#!/usr/bin/env bash
# The whole walk on synthetic data, with embedded defaults (SQLite, DuckDB): `make demo`.
# Each step is a real `fivesafes` command, as a linkage officer would type it.
set -euo pipefail
cd "$(dirname "$0")/.."
FS=".venv/bin/fivesafes"
HOME_DIR="${DEMO_HOME:-demo-home}"
DATA_DIR="${DEMO_DATA:-demo-data}"
PEOPLE="${DEMO_PEOPLE:-50000}"
export FIVESAFES_ACTOR="${FIVESAFES_ACTOR:-demo:linkage-officer}"
unset FIVESAFES_DB_URL  # the demo always uses the embedded SQLite store

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

# The demo's own folders are disposable: start afresh each time.
rm -rf "$HOME_DIR" "$DATA_DIR"

step "1. Create a deployment home (zones, master key, metadata store, audit log)" \
  "$FS" init "$HOME_DIR"
step "2. Generate synthetic court, prison and probation extracts ($PEOPLE people)" \
  "$FS" synth --people "$PEOPLE" --out "$DATA_DIR" --seed 42
step "3. Ingest every source: validate, quarantine bad rows, split identifiers from attributes" \
  "$FS" ingest --home "$HOME_DIR" "$DATA_DIR"/contracts/*.toml
step "4. Prove the audit log is intact" \
  "$FS" audit verify --home "$HOME_DIR"
step "5. What the audit log recorded" \
  "$FS" audit show --home "$HOME_DIR" --last 5

printf '\nDone. Home: %s   Extracts: %s\n' "$HOME_DIR" "$DATA_DIR"
printf 'Quarantined rows (with line, column and reason): %s/linkage/quarantine/\n' "$HOME_DIR"
