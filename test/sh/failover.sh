#!/usr/bin/env bash
# test/sh/failover.sh -- synchronous failover without losing an
# acknowledged registration.
#
# A primary and a synchronous standby (synchronous_standby_names, and
# synchronous_commit = on: a commit returns once the standby has flushed
# it), four clients registering deals and creating and routing leads, each
# logging the id of every statement whose commit came back.  The primary is
# killed with SIGKILL (postmaster and every process of it) mid-load and the
# standby promoted with pg_ctl promote.  On the new primary:
#   - every acknowledged registration and lead is there, with its client's
#     values, and no registration is there twice;
#   - conflict detection finds the registrations made before the crash (a
#     registration of the same customer by another partner is a conflict
#     with it), and routing (advisory locks) and registration work;
#   - pg_cron: its jobs table came over with the WAL, the standby ran no
#     job while in recovery, and the new primary runs the same job on its
#     schedule with nothing rescheduled (doc/rollups.md, "On a hot standby").
#
# Runs its own two clusters on Unix sockets in a temp dir.  Needs
# CHANNEL_PG_BIN (the sandbox of test/run-tests.sh).  FAILOVER_SECONDS
# (default 5) is how long the load runs before the kill.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"
secs=${FAILOVER_SECONDS:-5}

work=$(mktemp -d /tmp/channel-failover.XXXXXX)
chmod 755 "$work"; chown postgres:postgres "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for d in "$work/p" "$work/s"; do
		[ -f "$d/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true
	done
	as_root rm -rf "$work"
}
trap cleanup EXIT
export CHANNEL_SHARED_BUFFERS=128MB
p() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sp" -U postgres "$@"; }
s() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/ss" -U postgres "$@"; }

channel_init_cluster "$work/p" "$work/sp"
run_as_postgres tee -a "$work/p/postgresql.conf" >/dev/null <<-CONF
	wal_level = replica
	synchronous_commit = on
CONF
channel_start_postmaster "$work/p"
p -d postgres -c "CREATE EXTENSION pg_cron" -c "CREATE DATABASE fo"
p -d fo >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	CREATE EXTENSION channel;
	SELECT count(*) FROM channel.generate_demo(200, 1000, 11);
	CREATE SCHEMA fo;
	CREATE TABLE fo.pair AS
	SELECT row_number() OVER (ORDER BY p.partner_id, pp.product_line, t.country) AS n,
	       p.partner_id, pp.product_line, t.country
	FROM channel.partner p JOIN channel.partner_product pp USING (partner_id)
	JOIN channel.partner_territory t USING (partner_id)
	WHERE p.status = 'active' AND t.country IS NOT NULL;
	-- one client step: a registration (odd k) or a lead routed (even k); the
	-- row returned is what the client logs as acknowledged
	CREATE FUNCTION fo.step(client integer, k integer) RETURNS text
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
	  x record;
	  id bigint;
	BEGIN
	  SELECT * INTO x FROM fo.pair WHERE n = 1 + (client * 7919 + k) % (SELECT count(*) FROM fo.pair);
	  IF k % 2 = 1 THEN
	    id := channel.register_deal(x.partner_id, 'Failover Kunde ' || client || '-' || k || ' GmbH', x.country,
	                                x.product_line, 1000 + k, current_date + 45);
	    RETURN 'D|' || id || '|Failover Kunde ' || client || '-' || k || ' GmbH';
	  END IF;
	  INSERT INTO channel.lead (company, country, product_line, source)
	  VALUES ('Failover Lead ' || client || '-' || k, x.country, x.product_line, 'referral') RETURNING lead_id INTO id;
	  PERFORM count(*) FROM channel.route_leads(2);
	  RETURN 'L|' || id || '|Failover Lead ' || client || '-' || k;
	END
	$f$;
	CREATE TABLE fo.cron_probe (ran_at timestamptz NOT NULL DEFAULT now(), in_recovery boolean NOT NULL DEFAULT pg_is_in_recovery());
SQL
# the probe job, every minute, registered on the primary only
p -d postgres -c "SELECT cron.schedule_in_database('failover-probe', '* * * * *', 'INSERT INTO fo.cron_probe DEFAULT VALUES', 'fo')" >/dev/null

run_as_postgres "$CHANNEL_PG_BIN/pg_basebackup" -h "$work/sp" -U postgres -D "$work/s" -X stream -c fast
mkdir -p "$work/ss"; chown postgres:postgres "$work/ss"
run_as_postgres tee -a "$work/s/postgresql.auto.conf" >/dev/null <<-CONF
	unix_socket_directories = '$work/ss'
	primary_conninfo = 'host=$work/sp port=5432 user=postgres application_name=standby1'
	hot_standby = on
CONF
run_as_postgres touch "$work/s/standby.signal"
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/s" -l "$work/s/server.log" -w start >/dev/null
# synchronous from now on (set before the standby exists, every commit would wait for it)
p -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 100); do
	[ "$(p -d postgres -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ] && break
	sleep 0.2
done
[ "$(p -d postgres -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ] \
	|| fail "the standby is not synchronous"
[ "$(s -d postgres -c "SELECT count(*) FROM cron.job WHERE jobname = 'failover-probe'")" = 1 ] \
	|| fail "pg_cron's job did not replicate to the standby"

# the clients: each a psql reading its steps; a line is printed only once
# the commit came back (the server sends the result after committing, and
# commits wait for the standby)
for c in 1 2 3 4; do
	seq 1 100000 | sed "s/.*/SELECT fo.step($c, &);/" >"$work/client$c.sql"
	"$CHANNEL_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$work/sp" -U postgres -d fo -f "$work/client$c.sql" \
		>"$work/acked$c.log" 2>"$work/client$c.err" &
	pids+=($!)
done
sleep "$secs"
pm=$(head -1 "$work/p/postmaster.pid")
children=$(pgrep -P "$pm" || true)
kill -9 "$pm" $children
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
cat "$work"/acked*.log >"$work/acked"
acked=$(grep -c . "$work/acked" || true)
[ "$acked" -gt 20 ] || fail "only $acked steps acknowledged before the kill: $(cat "$work"/client*.err | head -5)"
for c in 1 2 3 4; do
	grep -qE 'server closed the connection|connection to server|terminating connection' "$work/client$c.err" \
		|| fail "client $c did not lose its connection: $(head -3 "$work/client$c.err")"
done

# promotion
in_recovery_errors=$(grep -c 'read-only transaction' "$work/s/server.log" || true)
promoted_at=$(date -u '+%Y-%m-%d %H:%M:%S+00')
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/s" -w promote >/dev/null
[ "$(s -d postgres -c "SELECT pg_is_in_recovery()")" = f ] || fail "the standby was not promoted"

# every acknowledged step is there, once, with its values
s -d fo -c "CREATE TABLE fo.acked (kind text, id bigint, name text)"
s -d fo -c "\\copy fo.acked FROM '$work/acked' WITH (FORMAT csv, DELIMITER '|')"
missing=$(s -d fo <<-'SQL'
	SELECT 'deal ' || a.id || ' missing or changed' FROM fo.acked a
	WHERE a.kind = 'D' AND NOT EXISTS (SELECT 1 FROM channel.deal d WHERE d.deal_id = a.id AND d.customer_name = a.name);
	SELECT 'lead ' || a.id || ' missing or changed' FROM fo.acked a
	WHERE a.kind = 'L' AND NOT EXISTS (SELECT 1 FROM channel.lead l WHERE l.lead_id = a.id AND l.company = a.name);
	SELECT 'registered twice: ' || customer_name FROM channel.deal WHERE customer_name LIKE 'Failover Kunde %'
	GROUP BY customer_name HAVING count(*) > 1;
	SELECT 'lead created twice: ' || company FROM channel.lead WHERE company LIKE 'Failover Lead %'
	GROUP BY company HAVING count(*) > 1;
	SELECT 'deal without its events ' || d.deal_id FROM channel.deal d
	WHERE d.customer_name LIKE 'Failover Kunde %' AND NOT EXISTS (SELECT 1 FROM channel.deal_event e WHERE e.deal_id = d.deal_id);
SQL
)
[ -z "$missing" ] || fail "after promotion: $(echo "$missing" | head -10)"
deals=$(s -d fo -c "SELECT count(*) FROM fo.acked WHERE kind = 'D'")
extra=$(s -d fo -c "SELECT count(*) FROM channel.deal d WHERE d.customer_name LIKE 'Failover Kunde %'
                    AND NOT EXISTS (SELECT 1 FROM fo.acked a WHERE a.kind = 'D' AND a.id = d.deal_id)")
echo "# $acked acknowledged steps ($deals registrations) before the kill: all on the promoted standby, none twice ($extra committed but not yet acknowledged when the primary died)"

# conflict detection sees the registrations made before the crash
out=$(s -d fo <<-'SQL'
	\set QUIET on
	SELECT a.id AS held, d.customer_name, d.customer_country, d.product_line, d.partner_id AS holder
	FROM fo.acked a JOIN channel.deal d ON d.deal_id = a.id
	WHERE a.kind = 'D' AND d.status IN ('submitted', 'approved')
	  AND EXISTS (SELECT 1 FROM fo.pair o WHERE o.product_line = d.product_line AND o.country = d.customer_country
	              AND o.partner_id <> d.partner_id)
	ORDER BY a.id DESC LIMIT 1 \gset
	SELECT min(partner_id) AS other FROM fo.pair
	WHERE product_line = :'product_line' AND country = :'customer_country' AND partner_id <> :holder \gset
	SELECT channel.register_deal(:other, :'customer_name', :'customer_country', :'product_line', 5000, current_date + 30) AS new \gset
	SELECT 'conflict', d.status, EXISTS (SELECT 1 FROM channel.deal_conflict c WHERE c.deal_id = d.deal_id AND c.other_deal_id = :held)
	FROM channel.deal d WHERE d.deal_id = :new;
SQL
)
[ "$out" = "conflict|conflict|t" ] || fail "a registration conflicting with one made before the crash: $out"
# routing and registration on the new primary, from two sessions at once
for c in 5 6; do
	seq 1 40 | sed "s/.*/SELECT fo.step($c, &);/" >"$work/after$c.sql"
	"$CHANNEL_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$work/ss" -U postgres -d fo -f "$work/after$c.sql" >"$work/after$c.log" 2>&1 &
	pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a client failed on the new primary: $(cat "$work"/after*.log | grep -v '^[DL]|' | head -3)"; done
pids=()
[ "$(cat "$work"/after*.log | grep -c '^[DL]|')" = 80 ] || fail "steps on the new primary: $(cat "$work"/after*.log | head -3)"
routed=$(s -d fo -c "SELECT count(*) FROM channel.lead WHERE company LIKE 'Failover Lead 5-%' OR company LIKE 'Failover Lead 6-%'")
echo "# on the new primary: a registration conflicting with a pre-crash one is a conflict; 80 steps from two sessions ($routed leads) ran"

# pg_cron: nothing ran on the standby while it was in recovery; the new primary runs the same job
[ "$in_recovery_errors" = 0 ] || fail "a job was tried on the standby while in recovery ($in_recovery_errors read-only errors)"
[ "$(s -d fo -c "SELECT count(*) FROM fo.cron_probe WHERE in_recovery")" = 0 ] || fail "a probe row says it was written in recovery"
for _ in $(seq 80); do
	[ "$(s -d fo -c "SELECT count(*) FROM fo.cron_probe WHERE ran_at >= '$promoted_at'")" -gt 0 ] && break
	sleep 1
done
[ "$(s -d fo -c "SELECT count(*) FROM fo.cron_probe WHERE ran_at >= '$promoted_at'")" -gt 0 ] \
	|| fail "pg_cron did not run the job on the new primary within 80 s"
[ "$(s -d postgres -c "SELECT count(*) FROM cron.job WHERE jobname = 'failover-probe'")" = 1 ] || fail "the job is not scheduled once"
echo "# pg_cron: the job came over with the WAL, ran on the promoted standby on its schedule, nothing rescheduled"
