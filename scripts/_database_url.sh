# Sourced by backup.sh and restore.sh: turns DATABASE_URL into a URI that libpq accepts, and keeps
# its password off every command line, where `ps` would show it to every user of the machine.
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

# Sets `uri` to DATABASE_URL without its password and, when it has one, writes the password to a
# passfile only this user can read, named by PGPASSFILE for libpq; remove it with
# forget_password. https://www.postgresql.org/docs/current/libpq-pgpass.html
use_database_url() {
  local url scheme rest authority path userinfo password
  url="$(database_uri)" || return $?
  scheme="${url%%://*}"
  rest="${url#*://}"
  authority="${rest%%/*}"
  path="${rest:${#authority}}"
  uri="$url"
  case "$authority" in *@*) ;; *) return 0 ;; esac
  userinfo="${authority%@*}"
  case "$userinfo" in *:*) ;; *) return 0 ;; esac
  password="${userinfo#*:}"
  uri="$scheme://${userinfo%%:*}@${authority##*@}$path"
  # The URL percent-encodes the password (decoded here, a literal backslash kept as it is); the
  # passfile escapes its own separators, backslash and colon.
  password="${password//\\/\\\\}"
  password="$(printf '%b' "${password//%/\\x}")"
  password="${password//\\/\\\\}"
  passfile="$(mktemp "${TMPDIR:-/tmp}/learnorg-pgpass.XXXXXX")"
  printf '*:*:*:*:%s\n' "${password//:/\\:}" >"$passfile"
  export PGPASSFILE="$passfile"
}

# Removes the passfile use_database_url wrote, if it wrote one.
forget_password() {
  if [ -n "${passfile:-}" ]; then rm -f "$passfile"; fi
}
