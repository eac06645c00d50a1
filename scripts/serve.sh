#!/usr/bin/env bash
# `make serve`: the web application on the demo home, with sign-in accounts to try it.
set -euo pipefail
cd "$(dirname "$0")/.."
FS=".venv/bin/fivesafes"
HOME_DIR="${DEMO_HOME:-demo-home}"
PORT="${PORT:-8000}"
unset FIVESAFES_DB_URL  # the demo home uses its embedded SQLite store
if [ ! -d "$HOME_DIR" ]; then
  echo "no demo home at $HOME_DIR: run 'make demo' first" >&2
  exit 1
fi
"$FS" demo sign-in-accounts --home "$HOME_DIR"
echo "Open http://127.0.0.1:$PORT/ and sign in with one of the accounts above (Ctrl-C stops it)."
exec "$FS" serve --home "$HOME_DIR" --port "$PORT"
