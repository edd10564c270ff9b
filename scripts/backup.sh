#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL in pg_dump's custom format.
# Usage: scripts/backup.sh [FILE]; without FILE it writes $BACKUP_DIR/learnorg-<UTC time>.dump
# (BACKUP_DIR defaults to backups/ in the project).
set -euo pipefail
cd "$(dirname "$0")/.."
# A dump holds every confidential interview: the folder and the file are for this user only.
umask 077
. scripts/_database_url.sh
use_database_url

file="${1:-${BACKUP_DIR:-backups}/learnorg-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$file")"
# Write beside the target and rename, so a half-written dump never looks like a backup.
partial="$file.partial"
trap 'rm -f "$partial"; forget_password' EXIT
pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$uri"
pg_restore --list "$partial" >/dev/null
chmod 600 "$partial"
mv "$partial" "$file"
echo "Backed up to $file ($(du -h "$file" | cut -f1))."
