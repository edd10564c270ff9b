#!/usr/bin/env bash
# Restore a backup made by backup.sh into the PostgreSQL database named by DATABASE_URL,
# replacing what is there. Usage: scripts/restore.sh FILE
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
. scripts/_database_url.sh
use_database_url
trap forget_password EXIT

file="${1:?Usage: scripts/restore.sh backups/learnorg-<timestamp>.dump}"
test -r "$file" || { echo "Cannot read $file." >&2; exit 2; }
# Check the archive is whole before touching the database.
pg_restore --list "$file" >/dev/null
# One transaction: if anything fails, the database is left as it was.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$uri" "$file"
echo "Restored $file into the database."
