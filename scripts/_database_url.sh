# Sourced by backup.sh and restore.sh: turns DATABASE_URL into a URI that libpq accepts.
database_uri() {
  local url="${DATABASE_URL:-}"
  case "$url" in
    postgres://* | postgresql://*) ;;
    pgsql://* | postgis://*) url="postgresql://${url#*://}" ;;
    *)
      echo "DATABASE_URL must name a PostgreSQL database (postgres://user@host:5432/name)." >&2
      echo "With the local SQLite default, stop the app and copy db.sqlite3 instead." >&2
      return 2
      ;;
  esac
  printf '%s\n' "$url"
}
