#!/usr/bin/env bash
# test/bench/cpu_ms.sh -- CPU and wall time of a statement, run several times
# in one session of the running cluster (PGHOST...).
#
#   bash test/bench/cpu_ms.sh DB "SELECT count(*) FROM channel.lead_funnel('2026-08-01', '2026-10-31')" [runs]
#
# Prints, per run, the backend's CPU time (utime + stime from /proc, in
# clock ticks of 10 ms) and the wall time. On a loaded machine the CPU
# time is the steadier figure (a statement's wall time grows with the
# load, its CPU time much less); parallel workers' CPU is not counted.
# The server must run on this machine (it reads /proc/<backend pid>/stat).
set -euo pipefail
db=$1; sql=$2; runs=${3:-3}
coproc P { psql -X -q -At -d "$db" 2>&1; }
echo "SELECT pg_backend_pid();" >&"${P[1]}"; read -r pid <&"${P[0]}"
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
for i in $(seq 1 "$runs"); do
	s=$(cpu); t0=$(date +%s%N)
	echo "$sql; SELECT 'END';" >&"${P[1]}"
	while read -r line <&"${P[0]}"; do [ "$line" = END ] && break; done
	t1=$(date +%s%N); e=$(cpu)
	echo "run $i: cpu $(( (e - s) * 1000 / tck )) ms, wall $(( (t1 - t0) / 1000000 )) ms"
done
echo '\q' >&"${P[1]}"
