#!/usr/bin/env bash
# test/sh/backup_restore.sh -- the restores DBAs run give back exactly what
# was dumped, with no error and no option to remember:
#   1. pg_dump (plain SQL) | psql
#   2. pg_dump -Fc, then a plain pg_restore -d newdb
#   3. the same archive restored by parallel workers, which must run with
#      session_replication_role = replica (PGOPTIONS): pg_restore -j loads
#      the extension's tables side by side, out of foreign-key order
#   4. pg_dumpall of the whole cluster, replayed by psql into a new cluster
# Every channel table (and sequence) is compared by row count and md5 of
# its ordered rows (test/sh/backup/checksums.sql) against the source.  Then
# the restored database must work as a live one: the triggers that a
# restore skips (channel.restoring()) fire again in an ordinary session,
# a registration conflicting with a restored one is caught, and a partner
# cannot make its own session look like a restore.
#
# Runs its own two clusters (source, and the pg_dumpall target whose
# bootstrap superuser is not postgres: the script re-creates postgres) on
# Unix sockets in a temp dir, so pg_dumpall sees only this test's data.
# Needs CHANNEL_PG_BIN (the sandbox of test/run-tests.sh).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/channel-backup.XXXXXX)
chmod 755 "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	for d in "$work/a" "$work/b"; do
		[ -f "$d/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
	done
	as_root rm -rf "$work"
}
trap cleanup EXIT
export CHANNEL_SHARED_BUFFERS=128MB
a() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sa" -U postgres "$@"; }
b() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sb" -U restorer "$@"; }

channel_init_cluster "$work/a" "$work/sa"
channel_start_postmaster "$work/a"
a -d postgres -c "CREATE DATABASE src"
a -d src -f "$here/backup/fixture.sql"
a -d src -f "$here/backup/checksums.sql" >"$work/src.sums"
empty=$(grep -c '|0|' "$work/src.sums" || true)
[ "$empty" -le 1 ] || fail "the fixture leaves $empty tables empty: $(grep '|0|' "$work/src.sums" | cut -d'|' -f1 | tr '\n' ' ')"

# dumps are written as postgres (the server's files are not the point; the
# tools run as any client would)
dump() { "$CHANNEL_PG_BIN/$1" -h "$work/sa" -U postgres "${@:2}"; }
# (pg_dump warns of the self-referencing foreign keys of partner,
# fund_budget and fund_ledger: a data-only dump's concern, not this one's)
dump pg_dump -d src -f "$work/plain.sql" 2>"$work/dump.log" || { cat "$work/dump.log"; fail "pg_dump failed"; }
dump pg_dump -Fc -d src -f "$work/custom.dump" 2>>"$work/dump.log" || { cat "$work/dump.log"; fail "pg_dump -Fc failed"; }

compare() {  # compare DB LABEL [client]: the restored DB's checksums against the source's
	local db=$1 label=$2 client=${3:-a}
	$client -d "$db" -f "$here/backup/checksums.sql" >"$work/$label.sums"
	if ! diff -u "$work/src.sums" "$work/$label.sums" >"$work/$label.diff"; then
		cat "$work/$label.diff"; fail "$label: the restored tables differ from the dumped ones (diff above)"
	fi
	echo "# $label: $(grep -c . "$work/$label.sums") tables and sequences as dumped"
}
no_errors() {  # no_errors LOG LABEL
	if grep -E 'ERROR|error|warning' "$1" >/dev/null; then cat "$1"; fail "$2 reported errors (above)"; fi
}

# 1. plain SQL through psql, the way the dump is meant to be replayed
a -d postgres -c "CREATE DATABASE plain"
"$CHANNEL_PG_BIN/psql" -X -q -h "$work/sa" -U postgres -d plain -f "$work/plain.sql" >/dev/null 2>"$work/plain.log" \
	|| { cat "$work/plain.log"; fail "psql < plain dump failed"; }
no_errors "$work/plain.log" "psql < plain dump"
compare plain "pg_dump | psql"

# 2. the archive, restored by a plain pg_restore (no --disable-triggers, no --exit-on-error)
a -d postgres -c "CREATE DATABASE custom"
dump pg_restore -d custom "$work/custom.dump" 2>"$work/custom.log" || { cat "$work/custom.log"; fail "pg_restore failed"; }
no_errors "$work/custom.log" "pg_restore"
compare custom "pg_dump -Fc, pg_restore"

# 3. parallel workers: pg_restore -j does not order the extension's tables
# by their foreign keys (a plain pg_restore does), so the documented way is
# replica mode, where PostgreSQL skips the foreign-key checks and every
# trigger (doc/scaling.md, "Backups")
a -d postgres -c "CREATE DATABASE parallel"
PGOPTIONS='-c session_replication_role=replica' dump pg_restore -j 2 -d parallel "$work/custom.dump" 2>"$work/parallel.log" \
	|| { cat "$work/parallel.log"; fail "pg_restore -j 2 failed"; }
no_errors "$work/parallel.log" "pg_restore -j 2"
compare parallel "pg_restore -j 2 (replica)"

# 4. the whole cluster: roles (channel's and the partner's login), then every database
dump pg_dumpall -f "$work/all.sql" 2>>"$work/dump.log" || { cat "$work/dump.log"; fail "pg_dumpall failed"; }
channel_init_cluster "$work/b" "$work/sb" restorer
channel_start_postmaster "$work/b"
"$CHANNEL_PG_BIN/psql" -X -q -h "$work/sb" -U restorer -d postgres -f "$work/all.sql" >/dev/null 2>"$work/all.log" \
	|| { cat "$work/all.log"; fail "psql < pg_dumpall failed"; }
no_errors "$work/all.log" "psql < pg_dumpall"
compare src "pg_dumpall | psql" b
[ "$(b -d src -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'backup_fixture_partner'")" = t ] \
	|| fail "pg_dumpall lost the partner's login"
mapped=$(b -d src -c "SELECT partner_id FROM channel.partner_user WHERE role_name = 'backup_fixture_partner'")
[ -n "$mapped" ] && [ "$(b -d src -c "SET SESSION AUTHORIZATION backup_fixture_partner" -c "SELECT channel.current_partner()")" = "$mapped" ] \
	|| fail "the partner's mapping does not work in the pg_dumpall copy"

# the restored database is a live one: what the restore skipped works again
live() {  # live DB: one new lead and one conflicting registration, as an application would
	a -d "$1" <<-'SQL'
	\set QUIET on
	SELECT count(*) AS events FROM channel.lead_event \gset
	SELECT count(*) AS feed FROM channel.change_event \gset
	CALL channel.refresh_rollups();
	INSERT INTO channel.lead (company, country, product_line, source)
	SELECT 'After restore GmbH', 'DE', min(code), 'referral' FROM channel.product_line;
	SELECT count(*) AS routed FROM channel.route_leads() \gset
	SELECT 'lead logged', (SELECT count(*) FROM channel.lead_event) - :events,
	       'fed', (SELECT count(*) FROM channel.change_event) > :feed,
	       'scored', (SELECT score IS NOT NULL FROM channel.lead WHERE company = 'After restore GmbH'),
	       'queued', (SELECT count(*) > 0 FROM channel.partner_month_dirty);
	-- a partner other than the one holding a restored live registration
	-- registers the same customer: the restored keys must find it
	SELECT d.deal_id AS held, d.customer_name, d.customer_country, d.product_line, d.partner_id AS holder
	FROM channel.deal d WHERE d.status IN ('submitted', 'approved') AND d.protected_until > now()
	ORDER BY d.deal_id LIMIT 1 \gset
	SELECT p.partner_id AS other FROM channel.partner p
	WHERE p.partner_id <> :holder AND p.status = 'active' ORDER BY p.partner_id LIMIT 1 \gset
	SELECT channel.register_deal(:other, :'customer_name', :'customer_country', :'product_line', 1000, current_date + 60) AS new \gset
	SELECT 'conflict found', d.status, EXISTS (SELECT 1 FROM channel.deal_conflict c WHERE c.deal_id = d.deal_id AND c.other_deal_id = :held)
	FROM channel.deal d WHERE d.deal_id = :new;
	SQL
}
for db in plain custom; do
	out=$(live $db)
	[ "$(echo "$out" | head -1)" = "lead logged|2|fed|t|scored|t|queued|t" ] || fail "$db after restore: $out"
	[ "$(echo "$out" | tail -1)" = "conflict found|conflict|t" ] || fail "$db: a registration conflicting with a restored one: $out"
done
echo "# after the restores, new leads are logged, fed, scored and queued again, and conflicts with restored registrations are found"

# a partner cannot pass for a restore: with both settings off, its
# registration is still checked (register_deal writes as the definer)
out=$(a -d custom <<-'SQL'
	\set QUIET on
	SELECT customer_name, customer_country, product_line, partner_id AS holder FROM channel.deal
	WHERE status IN ('submitted', 'approved') AND protected_until > now() ORDER BY deal_id LIMIT 1 OFFSET 1 \gset
	SELECT min(partner_id) AS other FROM channel.partner WHERE partner_id <> :holder AND status = 'active' \gset
	UPDATE channel.partner_user SET partner_id = :other WHERE role_name = 'backup_fixture_partner';
	SET SESSION AUTHORIZATION backup_fixture_partner;
	SET check_function_bodies = off;
	SET row_security = off;
	SELECT 'restoring', channel.restoring();
	SELECT channel.register_deal(:other, :'customer_name', :'customer_country', :'product_line', 1000, current_date + 60) AS new \gset
	RESET SESSION AUTHORIZATION;
	RESET row_security;
	SELECT 'partner registers', status FROM channel.deal WHERE deal_id = :new;
	SQL
)
[ "$out" = "$(printf 'restoring|f\npartner registers|conflict')" ] || fail "a partner's session with the restore settings: $out"
echo "# a partner with check_function_bodies and row_security off is not taken for a restore"
