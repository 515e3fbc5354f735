#!/usr/bin/env bash
# test/bench/perf_sql.sh -- where a statement's CPU time goes: perf's profile
# (self time per function) of the backend while it runs the statement.
#
#   bash test/bench/perf_sql.sh DB "SELECT count(*) FROM channel.partner_scorecard()" [runs]
#   TOP=40 bash test/bench/perf_sql.sh ...        # more lines
#   perf report -i /tmp/perf.data --children ...  # then, for the call chains
#
# Needs perf (linux-perf) and a server on this machine; the statement runs
# once unprofiled (caches, plans), then `runs` times under perf record.
set -euo pipefail
db=$1; sql=$2; runs=${3:-3}
coproc P { psql -X -q -At -d "$db" 2>&1; }
echo "SELECT pg_backend_pid();" >&"${P[1]}"; read -r pid <&"${P[0]}"
echo "$sql;" >&"${P[1]}"; read -r _ <&"${P[0]}"
perf record -g -p "$pid" -o /tmp/perf.data >/dev/null 2>&1 & pp=$!
sleep 1
for _ in $(seq 1 "$runs"); do echo "$sql;" >&"${P[1]}"; read -r _ <&"${P[0]}"; done
kill -INT "$pp"; wait "$pp" 2>/dev/null || true
echo '\q' >&"${P[1]}"
perf report -i /tmp/perf.data --no-children --stdio -g none 2>/dev/null | grep -E "^ +[0-9]" | head -"${TOP:-25}"
