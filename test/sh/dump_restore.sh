#!/usr/bin/env bash
# test/sh/dump_restore.sh -- pg_dump/pg_restore of a populated channel
# database keeps every policy, every grant and what each partner sees.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported).  Creates two databases and a login
# role, and removes them whatever happens.
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"

src=channel_dump_src dst=channel_dump_dst role=regress_dump_partner
work=$(mktemp -d)
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
	  -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "DROP ROLE IF EXISTS $role"

q -d postgres -c "CREATE DATABASE $src" -c "CREATE ROLE $role LOGIN" -c "GRANT channel_partner TO $role"
q -d $src -c "CREATE EXTENSION channel" \
          -c "SELECT count(*) FROM channel.generate_demo(200, 500, 3, '2026-01-15')" >/dev/null 2>&1
# the mapping, and a grant the site added after installing (must survive too)
q -d $src -c "INSERT INTO channel.partner_user (role_name, partner_id)
              SELECT '$role', partner_id FROM channel.deal WHERE partner_id IS NOT NULL
              GROUP BY partner_id ORDER BY count(*) DESC, partner_id LIMIT 1" \
          -c "GRANT UPDATE (website) ON channel.partner TO channel_analyst"

# what must survive: row security switches, policies with their expressions,
# table/column/function/schema privileges, and what the partner sees
fingerprint() {
	q -d "$1" <<-'SQL'
	SELECT 'rls', c.relname, c.relrowsecurity, c.relforcerowsecurity
	FROM pg_class c WHERE c.relnamespace = 'channel'::regnamespace AND c.relkind = 'r' ORDER BY 2;
	SELECT 'policy', tablename, policyname, cmd, roles, qual, with_check
	FROM pg_policies WHERE schemaname = 'channel' ORDER BY 2, 3;
	SELECT 'acl', c.relname, c.relacl FROM pg_class c
	WHERE c.relnamespace = 'channel'::regnamespace ORDER BY 2;
	SELECT 'colacl', a.attrelid::regclass, a.attname, a.attacl FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid
	WHERE c.relnamespace = 'channel'::regnamespace AND a.attacl IS NOT NULL ORDER BY 2, 3;
	SELECT 'fnacl', p.oid::regprocedure, p.proacl, p.prosecdef, p.proconfig FROM pg_proc p
	WHERE p.pronamespace = 'channel'::regnamespace ORDER BY p.oid::regprocedure::text;
	SELECT 'schema', nspacl FROM pg_namespace WHERE nspname = 'channel';
	SELECT 'rows', (SELECT count(*) FROM channel.partner), (SELECT count(*) FROM channel.lead),
	       (SELECT count(*) FROM channel.deal), (SELECT count(*) FROM channel.partner_user);
	SQL
	q -d "$1" -U $role -c "SELECT 'partner sees', channel.current_partner(),
	       (SELECT count(*) FROM channel.partner), (SELECT count(*) FROM channel.lead),
	       (SELECT count(*) FROM channel.deal), (SELECT count(DISTINCT partner_id) FROM channel.deal)"
}
fingerprint $src >"$work/before"

"$CHANNEL_PG_BIN/pg_dump" -Fc -d $src -f "$work/dump" 2>"$work/dump.log" || { cat "$work/dump.log"; exit 1; }
q -d postgres -c "CREATE DATABASE $dst"
# the plain restore every DBA runs: the triggers that would log, queue or
# rewrite the restored rows skip them (channel.restoring(); every table's
# contents are compared by test/sh/backup_restore.sh)
"$CHANNEL_PG_BIN/pg_restore" --exit-on-error -d $dst "$work/dump"
fingerprint $dst >"$work/after"

if ! diff -u "$work/before" "$work/after"; then
	echo "dump/restore changed policies, grants or visibility (diff above)"; exit 1
fi
# sanity: the fingerprint is not trivially empty
grep -c '^policy|' "$work/before" | awk '$1 < 30 { print "only " $1 " policies?"; exit 1 }'
grep -q '^partner sees|[0-9]*|1|' "$work/after" || { echo "partner does not see exactly its own partner row"; exit 1; }
echo "dump/restore kept $(grep -c '^policy|' "$work/after") policies, $(grep -c '^fnacl|' "$work/after") function ACLs and the partner's view"
