#!/usr/bin/env bash
# Makes a PostgreSQL answer for the tests, then runs the given command with FIREBELL_TEST_DATABASE_URL set.
#
#   scripts/ci-postgres.sh npm test
#
# When a server already answers at FIREBELL_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
# it is used as it is. Otherwise Debian's postgresql package is installed (apt, when missing), a throwaway
# cluster is initialised as the postgres user in a temporary directory and started on a free port, and it is
# stopped and removed when the command ends, whatever its outcome (trap).
set -euo pipefail

url="${FIREBELL_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

answers() {
  node -e '
    const pg = require("pg");
    const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), (e) => process.exit(e.code === "3D000" ? 0 : 1));
  ' "$1"
}

if answers "$url"; then
  export FIREBELL_TEST_DATABASE_URL="$url"
  exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# initdb refuses to run as root: the cluster belongs to the postgres user (or to us, when not root).
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  run_as=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/firebell-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')

stop() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null

export FIREBELL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/test"
echo "ci-postgres: a throwaway PostgreSQL at 127.0.0.1:$port ($dir)" >&2
"$@"
