#!/usr/bin/env bash
# test/sh/pitr.sh -- point-in-time recovery: a base backup (pg_basebackup)
# plus the archived WAL, replayed to recovery_target_time, gives back every
# channel table (and sequence) exactly as it was at that moment: the work
# done after the base backup is there, the damage done after the target is
# not.
#
# Runs its own cluster with WAL archiving (archive_command copies segments
# into a directory) on a Unix socket in a temp dir.  Needs CHANNEL_PG_BIN
# (the sandbox of test/run-tests.sh).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/channel-pitr.XXXXXX)
chmod 755 "$work"; chown postgres:postgres "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	for d in "$work/a" "$work/r"; do
		[ -f "$d/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
	done
	as_root rm -rf "$work"
}
trap cleanup EXIT
export CHANNEL_SHARED_BUFFERS=128MB
a() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sa" -U postgres "$@"; }
r() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sr" -U postgres "$@"; }

as_root install -d -o postgres -g postgres "$work/archive"
channel_init_cluster "$work/a" "$work/sa"
run_as_postgres tee -a "$work/a/postgresql.conf" >/dev/null <<-CONF
	wal_level = replica
	archive_mode = on
	archive_command = 'test ! -f $work/archive/%f && cp %p $work/archive/%f'
CONF
channel_start_postmaster "$work/a"
a -d postgres -c "CREATE DATABASE src"
a -d src -f "$here/backup/fixture.sql"

# the base backup, then a day's work that only the archived WAL holds
run_as_postgres "$CHANNEL_PG_BIN/pg_basebackup" -h "$work/sa" -U postgres -D "$work/base" -X stream -c fast
a -d src <<-'SQL'
	\set QUIET on
	\o /dev/null
	INSERT INTO channel.lead (company, country, product_line, source)
	SELECT 'After base ' || i, 'FR', pl.code, 'referral' FROM channel.product_line pl CROSS JOIN generate_series(1, 5) i;
	SELECT count(*) FROM channel.route_leads();
	SELECT channel.register_deal(p.partner_id, 'Recovered Customer ' || p.partner_id || ' SA', 'FR', pp.product_line, 25000, current_date + 40)
	FROM (SELECT DISTINCT ON (partner_id) partner_id, product_line FROM channel.partner_product ORDER BY partner_id, product_line) pp
	JOIN channel.partner p USING (partner_id) WHERE p.status = 'active' ORDER BY p.partner_id LIMIT 20;
	CALL channel.refresh_rollups();
	\o
SQL
a -d src -f "$here/backup/checksums.sql" >"$work/target.sums"
target=$(a -d src -c "SELECT clock_timestamp()")
sleep 1
# after the target: damage that recovery must leave out (each its own commit)
a -d src -c "UPDATE channel.partner SET status = 'inactive' WHERE partner_id % 3 = 0" \
	-c "DELETE FROM channel.deal WHERE status = 'submitted'" \
	-c "CALL channel.refresh_rollups()"
a -d src -f "$here/backup/checksums.sql" >"$work/damaged.sums"
cmp -s "$work/target.sums" "$work/damaged.sums" && fail "the damage changed nothing: the test would prove nothing"
seg=$(a -d src -c "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 150); do
	[ -f "$work/archive/$seg" ] && break; sleep 0.2
done
[ -f "$work/archive/$seg" ] || fail "WAL segment $seg was not archived"
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/a" -m fast stop >/dev/null

# recovery: the base backup, the archive, the target time
run_as_postgres cp -a "$work/base" "$work/r"
mkdir -p "$work/sr"; chown postgres:postgres "$work/sr"
run_as_postgres tee -a "$work/r/postgresql.auto.conf" >/dev/null <<-CONF
	unix_socket_directories = '$work/sr'
	archive_mode = off
	restore_command = 'cp $work/archive/%f %p'
	recovery_target_time = '$target'
	recovery_target_action = 'promote'
CONF
run_as_postgres touch "$work/r/recovery.signal"
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/r" -l "$work/r/server.log" -w -t 120 start >/dev/null
for _ in $(seq 300); do
	[ "$(r -d postgres -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ] && break; sleep 0.2
done
[ "$(r -d postgres -c "SELECT pg_is_in_recovery()")" = f ] || { tail -20 "$work/r/server.log"; fail "recovery did not finish"; }
grep -q "recovery stopping before commit" "$work/r/server.log" || { tail -20 "$work/r/server.log"; fail "recovery did not stop at the target"; }
r -d src -f "$here/backup/checksums.sql" >"$work/recovered.sums"
# tables: exactly; sequences: never behind (a sequence is WAL-logged 32
# values ahead, so replay may leave it past the last value used: a gap,
# never a reused key)
tables() { grep -vE '\|[tf]$' "$1"; }
if ! diff -u <(tables "$work/target.sums") <(tables "$work/recovered.sums"); then
	fail "point-in-time recovery differs from the database at the target time (diff above)"
fi
behind=$(join -t'|' <(grep -E '\|[tf]$' "$work/target.sums" | sort) <(grep -E '\|[tf]$' "$work/recovered.sums" | sort) \
	| awk -F'|' '$4 < $2 { print $1 }')
[ -z "$behind" ] || fail "sequences behind the target after recovery: $behind"
[ "$(grep -cE '\|[tf]$' "$work/recovered.sums")" = "$(grep -cE '\|[tf]$' "$work/target.sums")" ] || fail "sequences missing after recovery"
after_base=$(r -d src -c "SELECT count(*) FROM channel.deal WHERE customer_name LIKE 'Recovered Customer %'")
[ "$after_base" -gt 0 ] || fail "the registrations made after the base backup are missing"
echo "# PITR to the target time: $(tables "$work/recovered.sums" | grep -c .) tables as they were (sequences not behind), with the $after_base registrations made after the base backup and none of the later damage"
