#!/usr/bin/env bash
# test/sh/upgrade.sh -- ALTER EXTENSION channel UPDATE from the released
# 0.1.0 keeps every row and gives exactly the schema of a fresh install.
#
# 0.1.0's install script is frozen in test/upgrade/ (as `make` generated it
# at the release) and copied into the sandbox's extension directory, so the
# sandbox offers both versions.  One database gets 0.1.0 with a small demo
# channel and a rollup refresh, then the update; another a fresh install of
# the default version.  Compared: the update path taken, every table's
# rows before and after the update, and `pg_dump --schema-only
# --binary-upgrade` of both databases (the only pg_dump mode that writes out
# an extension's member objects one by one), less the OID assignments that
# mode adds.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER, CHANNEL_TMP and CHANNEL_PG_BIN exported).
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}" "${CHANNEL_TMP:?}"
src=$(cd "$(dirname "$0")/../.." && pwd)

old=channel_upgrade_old new=channel_upgrade_new
work=$(mktemp -d)
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

extdir=$CHANNEL_TMP/inst/usr/share/postgresql/15/extension
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$src/channel.control")
cp "$src/test/upgrade/channel--0.1.0.sql" "$extdir/"
[ "$default" != 0.1.0 ] || fail "default_version is still 0.1.0"

q -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" \
	-c "CREATE DATABASE $old" -c "CREATE DATABASE $new"

path=$(q -d $old -c "SELECT path FROM pg_extension_update_paths('channel') WHERE source = '0.1.0' AND target = '$default'")
[ -n "$path" ] || fail "no update path from 0.1.0 to $default"
echo "# update path: $path"

q -d $old -c "CREATE EXTENSION channel VERSION '0.1.0'" \
	-c "SELECT count(*) FROM channel.generate_demo(400, 3000, 7)" \
	-c "CALL channel.refresh_rollups()" >/dev/null

# a row 0.1.0 accepted and 0.2.0 refuses stops the update with a clear
# error naming the constraint and the row, and leaves 0.1.0 as it was
deal=$(q -d $old -c "SELECT min(deal_id) FROM channel.deal")
close=$(q -d $old -c "SELECT expected_close FROM channel.deal WHERE deal_id = $deal")
q -d $old -c "UPDATE channel.deal SET expected_close = '20000-01-01' WHERE deal_id = $deal"
if out=$(q -d $old -c "ALTER EXTENSION channel UPDATE" 2>&1); then
	fail "the update accepted a deal expected to close in the year 20000"
fi
echo "$out" | grep -q 'ERROR:  cannot update channel to .*: 1 row(s) of channel.deal break the new constraint deal_times_in_range' \
	|| fail "unclear error for a row the new constraints refuse: $out"
echo "$out" | grep -q "The first of them, by (deal_id): ($deal)\." || fail "the error does not name the row: $out"
echo "$out" | grep -q '^HINT:  Correct or remove these rows' || fail "the error has no hint: $out"
[ "$(q -d $old -c "SELECT extversion FROM pg_extension WHERE extname = 'channel'")" = 0.1.0 ] \
	|| fail "a failed update left the extension at another version"
q -d $old -c "UPDATE channel.deal SET expected_close = '$close' WHERE deal_id = $deal" -c "CALL channel.refresh_rollups()"
echo "# a 0.1.0 row 0.2.0 refuses: the update stops, names it, changes nothing"

# every table of the extension, every column (those an upgrade piece
# recomputes on purpose are named in RECOMPUTED, table.column), row by row
# partner_month's last_* and sell_through_* columns and the end customers of
# registrations and leads and the countries of registrations' legal forms
# (deal.customer_jurisdictions) are new in 0.2.0 and filled by the update;
# product_line's renewal terms are new in 0.2.0 (68_contracts.sql, defaults)
RECOMPUTED=${RECOMPUTED:-partner_month.last_lead_accepted partner_month.last_deal_registered partner_month.last_sale partner_month.sell_through_lines partner_month.sell_through_units partner_month.sell_through_revenue deal.end_customer_id deal.customer_jurisdictions lead.end_customer_id product_line.renewal_lead_days product_line.renewal_risk_days product_line.renewal_grace_days product_line.warranty_renewal_rate}
fingerprint() {
	q -d "$1" -v recomputed="${RECOMPUTED:-}" <<-'SQL'
	SELECT pg_catalog.format('SELECT %L, count(*), md5(coalesce(string_agg(r, E''\n'' ORDER BY r), '''')) FROM (SELECT ROW(%s)::text AS r FROM channel.%I) x',
	                         c.relname, string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum), c.relname)
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind IN ('r', 'p')
	  AND NOT (c.relname || '.' || a.attname = ANY (string_to_array(:'recomputed', ' ')))
	GROUP BY c.relname ORDER BY c.relname
	\gexec
	SQL
}
fingerprint $old >"$work/rows.before"
[ "$(grep -c '|' "$work/rows.before")" -ge 15 ] || fail "the fingerprint covers too few tables"
grep -q '^deal|[1-9]' "$work/rows.before" || fail "the demo made no deals"

q -d $old -c "ALTER EXTENSION channel UPDATE"
[ "$(q -d $old -c "SELECT extversion FROM pg_extension WHERE extname = 'channel'")" = "$default" ] \
	|| fail "ALTER EXTENSION channel UPDATE did not reach $default"

# 0.1.0's registrations (made by the new library on 0.1.0's table, which has
# no customer_jurisdictions) get the countries of their legal forms
[ "$(q -d $old -c "SELECT count(*) FILTER (WHERE customer_jurisdictions IS DISTINCT FROM channel.company_jurisdictions(customer_name)) || '/' ||
                          count(*) FILTER (WHERE customer_jurisdictions IS NOT NULL) FROM channel.deal")" = "0/$(q -d $old -c "SELECT count(*) FROM channel.deal WHERE channel.company_jurisdictions(customer_name) IS NOT NULL")" ] \
	|| fail "the update did not fill deal.customer_jurisdictions"
[ "$(q -d $old -c "SELECT count(*) > 0 FROM channel.deal WHERE customer_jurisdictions IS NOT NULL")" = t ] \
	|| fail "no 0.1.0 registration carries a legal form of a particular country: the fill is untested"

# rows the update kept (tables it adds are empty, so absent from .before)
fingerprint $old | grep -F -x -f "$work/rows.before" >"$work/rows.after" || true
if ! diff -u "$work/rows.before" "$work/rows.after"; then
	fail "the update changed rows of the tables above"
fi

q -d $new -c "CREATE EXTENSION channel"
for db in $old $new; do
	# paragraph mode: drop the statements that only carry OIDs and XIDs
	"$CHANNEL_PG_BIN/pg_dump" --schema-only --binary-upgrade -d $db 2>"$work/pg_dump.log" \
	| perl -00 -ne 'next if /binary_upgrade_set_next_|relfrozenxid|pg_catalog.setval|^-- Dumped (from|by)|^\\(un)?restrict /m;
	               s/(binary_upgrade_create_empty_extension\(.*?), \x27\{[0-9,]*\}\x27/$1, <configuration tables>/; print' >"$work/$db.sql"
	# the configuration tables, by name rather than by OID
	q -d $db -c "SELECT c::regclass, f FROM pg_extension, unnest(extconfig, extcondition) AS u(c, f)
	             WHERE extname = 'channel' ORDER BY 1::text" >>"$work/$db.sql"
	# the extension's own rows that are not schema: the registries of who
	# may run what and of the jobs (00_registry.sql), and the reference data
	q -d $db -c "SELECT 'role_routine', r::text FROM channel.role_routine r ORDER BY 2" >>"$work/$db.sql"
	q -d $db -c "SELECT 'job_definition', j::text FROM channel.job_definition j ORDER BY 2" >>"$work/$db.sql"
done
[ "$(grep -c '^CREATE TABLE channel\.' "$work/$new.sql")" -ge 15 ] || fail "the dump holds too few tables: not a member-by-member dump?"
if ! diff -u "$work/$new.sql" "$work/$old.sql" >"$work/schema.diff"; then
	head -120 "$work/schema.diff"
	fail "the updated schema differs from a fresh install of $default (diff above: - fresh, + updated)"
fi
echo "# 0.1.0 -> $default: $(grep -c '|' "$work/rows.before") tables' rows kept, $(wc -l <"$work/$new.sql") lines of schema identical to a fresh install"
