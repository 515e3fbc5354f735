#!/usr/bin/env bash
# test/run-tests.sh -- every test of channel, from a fresh Debian 12 machine.
#
# Installs missing build dependencies, builds (warnings are errors), runs the
# pure-C unit tests, installs into a private PostgreSQL tree, starts a
# throwaway cluster and runs `make installcheck` (pg_regress + isolation
# specs) and the shell tests in test/sh/.  Ends with "N passed, N failed".
source "$(dirname "$0")/lib.sh"

CHANNEL_WERROR=1
channel_install_deps
channel_build

passed=0 failed=0
tally() {  # tally <log> : counts "... ok" / "... FAILED" lines of pg_regress-style output
	local ok bad
	ok=$(grep -cE '\.\.\. ok|^ok [0-9]' "$1" || true)
	bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed|^not ok [0-9]' "$1" || true)
	passed=$((passed + ok)); failed=$((failed + bad))
}

log=$(mktemp)
say "pure-C unit tests"
make -C "$CHANNEL_SRC" -s unitcheck 2>&1 | tee "$log" | grep -vE '^ok ' || true
tally "$log"

channel_sandbox
channel_start_cluster
# pg_cron lives in database postgres for the whole run: the shell tests that
# schedule jobs find it there and leave it.  Dropping and re-creating it
# between tests once left its launcher running no job for over two minutes
# (fund_cron.sh after cron_jobs.sh), most likely for that reason.
psql -X -q -d postgres -c "CREATE EXTENSION pg_cron"

say "pg_regress and isolation specs (make installcheck)"
rm -rf "$CHANNEL_SRC/results" "$CHANNEL_SRC/output_iso"
started=$SECONDS
if ! make -C "$CHANNEL_SRC" -s installcheck 2>&1 | tee "$log"; then
	# a run that stopped before reporting any test still counts as a failure
	grep -qE '\.\.\. (FAILED|failed)' "$log" || failed=$((failed + 1))
fi
tally "$log"
say "make installcheck took $((SECONDS - started)) s"
for d in "$CHANNEL_SRC/regression.diffs" "$CHANNEL_SRC/output_iso/regression.diffs"; do
	[ -s "$d" ] && { say "differences in $d:"; head -200 "$d"; }
done

for t in "$CHANNEL_SRC"/test/sh/*.sh; do
	[ -e "$t" ] || continue
	say "shell test $(basename "$t")"
	started=$SECONDS
	if bash "$t" >"$log" 2>&1; then
		echo "ok - $(basename "$t") ($((SECONDS - started)) s)"; passed=$((passed + 1))
	else
		echo "not ok - $(basename "$t") ($((SECONDS - started)) s)"; sed 's/^/    /' "$log" | tail -40; failed=$((failed + 1))
	fi
done
rm -f "$log"

say "the whole run took $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
