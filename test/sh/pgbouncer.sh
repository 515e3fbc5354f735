#!/usr/bin/env bash
# test/sh/pgbouncer.sh -- the partner portal behind pgbouncer: no pooled
# transaction ever acts for, sees or writes another partner, whatever
# server connection it lands on.
#
# pgbouncer (Debian's) runs as user postgres on a Unix socket of its own in
# front of the throwaway cluster, with three pools on one database:
#   pooled_tx    pool_mode = transaction: 4 server connections for 16
#                clients, so consecutive transactions of one client land on
#                connections the previous transactions of other partners used
#   pooled_stmt  pool_mode = statement: no transaction block is possible
#   pooled_sess  pool_mode = session
# The portal application's role is a member of channel_portal.  Each
# pgbench transaction picks a partner, sets it, checks that
# current_partner() is that partner and that no visible deal, lead or
# contact belongs to another, and writes a contact, which the policies and
# the column default attribute to the acting partner; a division by zero
# aborts the run at the first violation.  Meanwhile transactions that never
# set a partner, through the same pool, must be refused every time.
# Afterwards every written contact must carry the partner its name says.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported).  PGBOUNCER_TX sets the number of
# pgbench transactions per client (default 1250, 16 clients: 20,000 in all).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"
command -v pgbouncer >/dev/null || { echo "pgbouncer is not installed (Debian package pgbouncer)"; exit 1; }

db=channel_pool app=regress_portal_app
per_client=${PGBOUNCER_TX:-1250} clients=16
work=$(mktemp -d /tmp/channel-pgbouncer.XXXXXX)
chmod 755 "$work"
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	[ -f "$work/pgbouncer.pid" ] && kill "$(cat "$work/pgbouncer.pid")" 2>/dev/null || true
	sleep 0.5
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $app" >/dev/null 2>&1 || true
	as_root rm -rf "$work"
}
trap cleanup EXIT

q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $app" \
	-c "CREATE DATABASE $db" -c "CREATE ROLE $app LOGIN IN ROLE channel_portal"
q -d $db -c "CREATE EXTENSION channel" -c "SELECT count(*) FROM channel.generate_demo(300, 4000, 11)" >/dev/null 2>&1
partners=$(q -d $db -c "SELECT max(partner_id) FROM channel.partner")
[ "$(q -d $db -c "SELECT count(*) FROM channel.partner WHERE partner_id BETWEEN 1 AND $partners")" = "$partners" ] \
	|| fail "demo partner ids are not 1..$partners"

mkdir -p "$work/sock"
echo "\"$app\" \"\"" >"$work/users.txt"
cat >"$work/pgbouncer.ini" <<-INI
	[databases]
	pooled_tx = host=$PGHOST port=$PGPORT dbname=$db pool_mode=transaction
	pooled_stmt = host=$PGHOST port=$PGPORT dbname=$db pool_mode=statement
	pooled_sess = host=$PGHOST port=$PGPORT dbname=$db pool_mode=session
	[pgbouncer]
	listen_addr =
	listen_port = 6432
	unix_socket_dir = $work/sock
	auth_type = trust
	auth_file = $work/users.txt
	default_pool_size = 4
	max_client_conn = 100
	logfile = $work/pgbouncer.log
	pidfile = $work/pgbouncer.pid
INI
chown -R postgres:postgres "$work"
run_as_postgres pgbouncer -d -q "$work/pgbouncer.ini"
for _ in $(seq 50); do [ -S "$work/sock/.s.PGSQL.6432" ] && break; sleep 0.1; done
pooled() { "$CHANNEL_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$work/sock" -p 6432 -U $app "$@"; }

cat >"$work/portal.sql" <<-SQL
	\\set p random(1, $partners)
	BEGIN;
	SELECT channel.set_portal_partner(:p);
	SELECT 1 / (channel.current_partner() = :p)::int;
	SELECT 1 / (count(*) FILTER (WHERE partner_id IS DISTINCT FROM :p) = 0)::int FROM channel.deal;
	SELECT 1 / (count(*) FILTER (WHERE partner_id IS DISTINCT FROM :p) = 0)::int FROM channel.partner_contact;
	SELECT 1 / (count(*) FILTER (WHERE partner_id IS DISTINCT FROM :p AND status <> 'pooled') = 0)::int FROM channel.lead;
	SELECT 1 / (count(*) = 1)::int FROM channel.partner;
	INSERT INTO channel.partner_contact (full_name, email) VALUES ('pool probe ' || :p, 'probe' || pg_current_xact_id() || '@portal.example');
	COMMIT;
SQL

# transactions that forget to set the partner, through the same pool
forgetful() {
	local n=0 out
	while [ ! -f "$work/pgbench.done" ]; do
		if out=$(pooled -d pooled_tx -c "BEGIN" -c "SELECT count(*) FROM channel.deal" -c "COMMIT" 2>&1); then
			echo "a transaction without a partner read deals: $out" >"$work/forgetful.bad"; return
		fi
		case "$out" in *"acts for no partner"*) ;;
		*) echo "unexpected refusal: $out" >"$work/forgetful.bad"; return ;; esac
		n=$((n + 1))
	done
	echo "$n" >"$work/forgetful.count"
}
forgetful &
start=$(date +%s.%N)
if ! "$CHANNEL_PG_BIN/pgbench" -n -h "$work/sock" -p 6432 -U $app -c $clients -j 2 -t "$per_client" \
	-f "$work/portal.sql" pooled_tx >"$work/pgbench.log" 2>&1; then
	touch "$work/pgbench.done"; wait
	tail -20 "$work/pgbench.log"; fail "a pooled portal transaction saw or wrote another partner's rows (or failed)"
fi
touch "$work/pgbench.done"; wait
end=$(date +%s.%N)
[ ! -f "$work/forgetful.bad" ] || fail "$(cat "$work/forgetful.bad")"
done_tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.log")
[ "$done_tx" = $((clients * per_client)) ] || { cat "$work/pgbench.log"; fail "pgbench processed $done_tx transactions"; }
servers=$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND usename = '$app'")
[ "$servers" -le 4 ] || fail "pgbouncer used $servers server connections, not at most 4"

# every contact written through the pool belongs to the partner in its name
wrong=$(q -d $db -c "SELECT count(*) FROM channel.partner_contact
                     WHERE full_name LIKE 'pool probe %' AND partner_id <> substr(full_name, 12)::bigint")
written=$(q -d $db -c "SELECT count(*) FROM channel.partner_contact WHERE full_name LIKE 'pool probe %'")
[ "$written" = "$done_tx" ] || fail "$done_tx transactions committed but $written contacts were written"
[ "$wrong" = 0 ] || fail "$wrong contacts were written for another partner than the acting one"

# statement pooling: no transaction block, so no partner can be set, and a
# lone statement acts for nobody
out=$(pooled -d pooled_stmt -c "SELECT channel.set_portal_partner(1)" 2>&1) && fail "set_portal_partner outside a transaction block worked"
case "$out" in *"can only be used in a transaction block"*) ;; *) fail "statement pool: $out" ;; esac
out=$(pooled -d pooled_stmt -c "SELECT count(*) FROM channel.deal" 2>&1) && fail "a statement without a partner read deals: $out"
case "$out" in *"acts for no partner"*) ;; *) fail "statement pool: $out" ;; esac
out=$(pooled -d pooled_stmt -c "BEGIN" -c "SELECT channel.set_portal_partner(1)" -c "COMMIT" 2>&1) \
	&& fail "statement pooling ran a transaction block"
# session pooling: a session's transactions are its own, the partner still
# ends with each transaction
out=$(pooled -d pooled_sess -c "BEGIN" -c "SELECT channel.set_portal_partner(2)" -c "SELECT channel.current_partner()" -c "COMMIT" \
	-c "SELECT count(*) FROM channel.deal" 2>&1) && fail "session pool: the partner outlived its transaction: $out"
case "$out" in *$'\n'2$'\n'*"acts for no partner"*) ;; *) fail "session pool: $out" ;; esac

tps=$(awk -v n="$done_tx" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')
echo "# $done_tx pooled portal transactions ($clients clients on 4 server connections, $tps per second), $(cat "$work/forgetful.count") forgetful transactions refused, none saw or wrote another partner"
