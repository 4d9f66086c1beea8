#!/usr/bin/env bash
# The compiled suite (built by `npm test` before) on Node 22 and 24 LTS, from the registry's `node`
# package: there the store runs on node:sqlite and the better-sqlite3 addon (built for the machine's Node)
# is never loaded. The suite mostly waits on real servers and timers, not on the CPU, so the two run side
# by side; each writes its own log, shown when it fails.
set -euo pipefail
node22=$(npx -y -p node@22 node -p process.execPath)
node24=$(npx -y -p node@24 node -p process.execPath)
logs=$(mktemp -d)
# Each run has a database of its own on the test server (created when missing), so that one run's
# failover tests never touch the other's connections.
base="${FIREBELL_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
FIREBELL_TEST_CONCURRENCY=2 FIREBELL_TEST_DATABASE_URL="${base}_node22" "$node22" scripts/run-tests.mjs >"$logs/node22.log" 2>&1 & pid22=$!
FIREBELL_TEST_CONCURRENCY=2 FIREBELL_TEST_DATABASE_URL="${base}_node24" "$node24" scripts/run-tests.mjs >"$logs/node24.log" 2>&1 & pid24=$!
status=0
for run in "22 $pid22 $node22" "24 $pid24 $node24"; do
  set -- $run
  if wait "$2"; then
    echo "Node $("$3" --version): suite green ($(grep -E '^(# |ℹ )(pass|fail) ' "$logs/node$1.log" | tr '\n' ' '))"
  else
    status=1
    echo "Node $("$3" --version): suite FAILED; its log:"
    cat "$logs/node$1.log"
  fi
done
rm -rf "$logs"
exit "$status"
