#!/usr/bin/env bash
# test/sh/faketime.sh -- the pg_regress files and the isolation specs pass
# whatever day and hour the server thinks it is.
#
# For each moment below a throwaway cluster is started with libfaketime
# preloaded into its postmaster, so that every backend's clock (now(),
# current_date, clock_timestamp(), pg_cron's) starts at that moment and runs
# on from it; then both suites run against it.  The moments are the edges a
# calendar-dependent test trips on: just past New Year, the leap day, one
# minute before New Year's Eve midnight UTC (the run crosses into the next
# year, and pg_regress sessions live in PST8PDT, eight hours behind), and
# the last evening of a 31-day month at the end of the supported horizon
# (the run crosses into the next UTC month).  Four moments, two at a time.
# Passes only when every suite passes at every moment.
#
# Run by test/run-tests.sh (it needs CHANNEL_PG_BIN, the sandbox with the
# extension installed); `FAKETIME_MOMENTS="@2031-03-31 23:59:00" bash
# test/sh/faketime.sh` from test/dev.sh's environment runs chosen moments.
set -euo pipefail
export CHANNEL_SHARED_BUFFERS=256MB
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"

if [ -n "${FAKETIME_MOMENTS:-}" ]; then
	IFS=';' read -r -a moments <<<"$FAKETIME_MOMENTS"
else
	moments=("@2027-01-01 00:00:30" "@2028-02-29 12:00:00" "@2030-12-31 23:59:00"
	         "@2035-08-31 23:30:00")
fi

work=$(mktemp -d /tmp/channel-faketime.XXXXXX)
chmod 755 "$work"
cleanup() {
	for d in "$work"/*/data; do
		[ -f "$d/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
	done
	as_root rm -rf "$work"
}
trap cleanup EXIT

# one moment: its own cluster, both suites, a verdict line in $dir/verdict
run_moment() {
	local m=$1 dir=$2 seen
	channel_init_cluster "$dir/data" "$dir/sock"
	channel_start_postmaster "$dir/data" "$m"
	seen=$(PGHOST=$dir/sock "$CHANNEL_PG_BIN/psql" -X -At -U postgres -d postgres \
		-c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")
	case "$seen" in
	"${m:1:13}"*)
		if PGHOST=$dir/sock PGPORT=5432 PGUSER=postgres channel_run_suites "$dir/out" >"$dir/log" 2>&1; then
			echo "ok - both suites with the server's clock at ${m#@} ($(grep -cE '\.\.\. ok|^ok [0-9]' "$dir/log") tests)" >"$dir/verdict"
		else
			{ echo "not ok - with the server's clock at ${m#@}:"
			  grep -E '\.\.\. FAILED|\.\.\. failed|^not ok' "$dir/log" | sed 's/^/    /'
			  cat "$dir"/out/*/regression.diffs 2>/dev/null | head -150 | sed 's/^/    /'; } >"$dir/verdict"
		fi ;;
	*) echo "not ok - libfaketime did not move the server's clock to ${m#@} (it says $seen)" >"$dir/verdict" ;;
	esac
	run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
}

# two moments at a time: each suite is mostly one backend busy at once
i=0
for m in "${moments[@]}"; do
	i=$((i + 1))
	run_moment "$m" "$work/$i" &
	[ $((i % ${FAKETIME_PARALLEL:-2})) = 0 ] && wait
done
wait
failed=0
for v in "$work"/*/verdict; do
	cat "$v"
	grep -q '^ok - ' "$v" || failed=$((failed + 1))
done
[ "$(ls "$work"/*/verdict | wc -l)" = "${#moments[@]}" ] || { echo "not ok - a moment left no verdict"; exit 1; }
[ "$failed" = 0 ]
