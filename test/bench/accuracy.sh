#!/usr/bin/env bash
# test/bench/accuracy.sh -- matching accuracy on the labelled pairs of test/data/ against a
# running server (the dev cluster: eval "$(bash test/dev.sh env)"), in database
# ${ACCURACY_DB:-accuracy}, created with channel and pg_trgm if missing.  The same figures
# as BENCH_PARTS=accuracy bash test/bench/deals.sh, without building a bench cluster.
#   ACCURACY_SHOW=misses   also lists the world tuning pairs it gets wrong
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
db=${ACCURACY_DB:-accuracy}
psql -X -q -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
	psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" -P pager=off "$@"; }
q -c "CREATE EXTENSION IF NOT EXISTS channel CASCADE" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
bash "$here/load_pairs.sh" "$db"
q -f "$here/accuracy.sql"
if [ "${ACCURACY_SHOW:-}" = misses ]; then
	q -c "SELECT phenomenon, same, round(channel.company_similarity(a, b)::numeric, 2) AS ours, a, b,
	             channel.normalize_company(a) AS na, channel.normalize_company(b) AS nb FROM pairs
	      WHERE part = 'tuning' AND (channel.company_similarity(a, b) >= current_setting('channel.match_threshold')::real) <> (same = 1)
	      ORDER BY same DESC, phenomenon"
fi
