#!/usr/bin/env bash
# test/sh/crash_recovery.sh -- SIGKILL under a write load, twice, then every
# invariant holds after crash recovery:
#   round 1: one backend (a rollup refresh if one is running, else any busy
#            one) is killed; the postmaster resets every backend and
#            replays the WAL by itself;
#   round 2: the postmaster and all its processes are killed at once (a
#            machine losing power, minus the disk cache), then restarted.
# The load (pgbench, 5 clients): registrations through register_deal, some
# for the same customers from other partners (conflicts); leads inserted and
# routed (route_leads); fund allocations drawing on a budget until it runs
# dry; and rollup refreshes in a loop.  Afterwards:
#   - no half-written registration: every deal has its submission event, its
#     customer keys, and a conflict row when it is in conflict; no customer
#     is protected for two partners at once;
#   - every lead has its creation event and a holder exactly when its
#     status says so; no partner went over its capacity;
#   - the fund ledger: counters equal to the rows, no bucket negative, no
#     money created or lost;
#   - the rollups: a refresh after the crash equals the definitions (the
#     *_computed views) and a full rebuild;
#   - no client saw an internal error (SQLSTATE class XX).
#
# Runs its own cluster (synchronous_commit on) on a Unix socket in a temp
# dir.  Needs CHANNEL_PG_BIN (the sandbox of test/run-tests.sh).
# CRASH_SECONDS (default 6) is how long the load runs before each kill.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${CHANNEL_PG_BIN:?run me from test/run-tests.sh}"
secs=${CRASH_SECONDS:-6}

work=$(mktemp -d /tmp/channel-crash.XXXXXX)
chmod 755 "$work"; chown postgres:postgres "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	[ -f "$work/data/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	as_root rm -rf "$work"
}
trap cleanup EXIT
export CHANNEL_SHARED_BUFFERS=128MB
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sock" -U postgres -d crash "$@"; }

channel_init_cluster "$work/data" "$work/sock"
echo "synchronous_commit = on" | run_as_postgres tee -a "$work/data/postgresql.conf" >/dev/null
channel_start_postmaster "$work/data"
"$CHANNEL_PG_BIN/psql" -X -q -h "$work/sock" -U postgres -d postgres -c "CREATE DATABASE crash"
q >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	CREATE EXTENSION channel;
	SELECT count(*) FROM channel.generate_demo(200, 2000, 7);
	CALL channel.refresh_rollups();
	SELECT channel.create_fund_budget('Crash MDF', 'mdf', 'quarter', date_trunc('quarter', current_date)::date, 'EUR', 8000);

	CREATE SCHEMA crash;
	-- what the clients register and route: partners with a territory and a line
	CREATE TABLE crash.pair AS
	SELECT row_number() OVER (ORDER BY p.partner_id, pp.product_line, t.country) AS n,
	       p.partner_id, pp.product_line, t.country
	FROM channel.partner p JOIN channel.partner_product pp USING (partner_id)
	JOIN channel.partner_territory t USING (partner_id)
	WHERE p.status = 'active' AND t.country IS NOT NULL;
	CREATE TABLE crash.outcome (action text, sqlstate text, n bigint NOT NULL DEFAULT 1, PRIMARY KEY (action, sqlstate));
	CREATE FUNCTION crash.note(action text, state text) RETURNS void LANGUAGE sql AS $f$
	  INSERT INTO crash.outcome VALUES (action, state) ON CONFLICT (action, sqlstate) DO UPDATE SET n = outcome.n + 1
	$f$;
	CREATE FUNCTION crash.step(op text, k bigint) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
	  x record;
	BEGIN
	  SELECT * INTO x FROM crash.pair WHERE n = 1 + k % (SELECT count(*) FROM crash.pair);
	  BEGIN
	    IF op = 'register' THEN
	      -- 150 customers over every partner: many conflicts
	      PERFORM channel.register_deal(x.partner_id, 'Crash Customer ' || (k % 150) || ' GmbH', x.country, x.product_line,
	                                    1000 + k % 5000, current_date + 30 + (k % 60)::integer);
	    ELSIF op = 'lead' THEN
	      INSERT INTO channel.lead (company, country, product_line, source)
	      VALUES ('Crash Lead ' || k, x.country, x.product_line, 'inbound_call');
	      PERFORM count(*) FROM channel.route_leads(3);
	    ELSE
	      PERFORM count(*) FROM channel.allocate_funds((SELECT min(budget_id) FROM channel.fund_budget WHERE name = 'Crash MDF'),
	                                                   10 + k % 90, ARRAY[x.partner_id]);
	    END IF;
	    PERFORM crash.note(op, '00000');
	  EXCEPTION WHEN OTHERS THEN
	    PERFORM crash.note(op, SQLSTATE);
	  END;
	END
	$f$;
SQL

# partners already over capacity in the demo (generated, not routed) may stay so, not grow
q -c "CREATE TABLE crash.capacity_before AS
      SELECT p.partner_id, count(l.lead_id) AS open FROM channel.partner p
      LEFT JOIN channel.lead l ON l.partner_id = p.partner_id AND l.status IN ('routed', 'accepted')
      GROUP BY p.partner_id"

cat >"$work/register.sql" <<-'EOF'
	\set k random(1, 1000000)
	SELECT crash.step('register', :k);
EOF
cat >"$work/lead.sql" <<-'EOF'
	\set k random(1, 1000000)
	SELECT crash.step('lead', :k);
EOF
cat >"$work/fund.sql" <<-'EOF'
	\set k random(1, 1000000)
	SELECT crash.step('fund', :k);
EOF
echo "CALL channel.refresh_rollups();" >"$work/refresh.sql"

load() {  # load ROUND: the clients, in the background, for longer than the kill waits
	PGHOST=$work/sock PGUSER=postgres "$CHANNEL_PG_BIN/pgbench" -n -c 4 -j 2 -T 60 \
		-f "$work/register.sql@4" -f "$work/lead.sql@3" -f "$work/fund.sql@1" crash >"$work/load$1.log" 2>&1 &
	load_pid=$!
	PGHOST=$work/sock PGUSER=postgres "$CHANNEL_PG_BIN/pgbench" -n -c 1 -T 60 -f "$work/refresh.sql" crash >"$work/refresh$1.log" 2>&1 &
	refresh_pid=$!
}
wait_load() { wait "$load_pid" 2>/dev/null || true; wait "$refresh_pid" 2>/dev/null || true; }
ready() {
	for _ in $(seq 300); do
		"$CHANNEL_PG_BIN/pg_isready" -q -h "$work/sock" -d crash && q -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	tail -20 "$work/data/server.log"; fail "the server did not come back"
}
progress() { q -c "SELECT coalesce(sum(n), 0) FROM crash.outcome"; }

# round 1: one backend
load 1
sleep "$secs"
before=$(progress)
victim=$(q -c "SELECT pid FROM pg_stat_activity WHERE datname = 'crash' AND state = 'active' AND pid <> pg_backend_pid()
               ORDER BY query LIKE '%refresh_rollups%' DESC, random() LIMIT 1")
[ -n "$victim" ] || fail "no busy backend to kill"
kill -9 "$victim"
wait_load
ready
grep -q "terminated by signal 9" "$work/data/server.log" || fail "the server log does not show the killed backend"
echo "# round 1: backend $victim killed after $before steps; the postmaster recovered"

# round 2: the postmaster and every process of it
load 2
sleep "$secs"
pm=$(head -1 "$work/data/postmaster.pid")
children=$(pgrep -P "$pm" || true)
kill -9 "$pm" $children
wait_load
for _ in $(seq 50); do kill -0 "$pm" 2>/dev/null || break; sleep 0.1; done
# (pg_ctl notes the stale postmaster.pid, finds no process and starts)
channel_start_postmaster "$work/data" 2>/dev/null
ready
steps=$(progress)
echo "# round 2: postmaster $pm and its $(echo $children | wc -w) processes killed; restarted after $steps steps in all"
[ "$steps" -gt "$before" ] || fail "round 2 did no work"
q -F ' ' -c "SELECT action, sqlstate, n FROM crash.outcome ORDER BY 1, 2" | sed 's/^/#   /'
[ "$(q -c "SELECT count(*) FROM crash.outcome WHERE sqlstate = '00000' AND action = 'register'")" = 1 ] || fail "no registration succeeded"
bad=$(q -c "SELECT string_agg(action || ' ' || sqlstate, ', ') FROM crash.outcome WHERE sqlstate LIKE 'XX%'")
[ -z "$bad" ] || fail "internal errors: $bad"

bad=$(q <<-'SQL'
	SET client_min_messages = warning;
	SELECT 'deal without its submission event ' || d.deal_id FROM channel.deal d
	WHERE NOT EXISTS (SELECT 1 FROM channel.deal_event e WHERE e.deal_id = d.deal_id);
	SELECT 'deal keys not those of its name ' || deal_id FROM channel.deal
	WHERE customer_key IS DISTINCT FROM channel.normalize_company(customer_name) OR customer_match_keys IS NULL;
	SELECT 'conflict without its conflict rows ' || d.deal_id FROM channel.deal d
	WHERE d.status = 'conflict' AND d.customer_name LIKE 'Crash Customer %'   -- the demo's are generated without
	  AND NOT EXISTS (SELECT 1 FROM channel.deal_conflict c WHERE c.deal_id = d.deal_id);
	SELECT 'customer protected for two partners: ' || customer_key FROM channel.deal
	WHERE status IN ('submitted', 'approved') AND protected_until > now() AND customer_name LIKE 'Crash Customer %'
	GROUP BY customer_key, customer_country, product_line HAVING count(DISTINCT partner_id) > 1;
	SELECT 'lead without its creation event ' || l.lead_id FROM channel.lead l
	WHERE NOT EXISTS (SELECT 1 FROM channel.lead_event e WHERE e.lead_id = l.lead_id);
	SELECT 'lead status vs holder ' || lead_id FROM channel.lead
	WHERE (status IN ('routed', 'accepted', 'converted') AND partner_id IS NULL)
	   OR (status IN ('new', 'pooled') AND partner_id IS NOT NULL);
	SELECT 'partner over capacity ' || p.partner_id FROM channel.partner p
	JOIN crash.capacity_before b USING (partner_id)
	CROSS JOIN LATERAL (SELECT count(*) AS open FROM channel.lead l
	                    WHERE l.partner_id = p.partner_id AND l.status IN ('routed', 'accepted')) o
	WHERE o.open > greatest(p.max_open_leads, b.open);
	SELECT 'allocation miscounted ' || a.allocation_id FROM channel.fund_allocation a
	WHERE a.ledger_entries <> (SELECT count(*) FROM channel.fund_ledger l WHERE l.allocation_id = a.allocation_id
	                           AND l.from_bucket IN ('available', 'reserved'));
	SELECT 'budget miscounted ' || b.budget_id FROM channel.fund_budget b
	WHERE b.ledger_entries <> (SELECT count(*) FROM channel.fund_ledger l WHERE l.budget_id = b.budget_id
	                           AND (l.allocation_id IS NULL OR l.from_bucket = 'unallocated'));
	SELECT 'bucket negative: allocation ' || allocation_id FROM channel.fund_balance WHERE available < 0 OR reserved < 0;
	SELECT 'money appeared or disappeared'
	WHERE (SELECT sum(amount) FROM channel.fund_ledger WHERE entry IN ('budget', 'accrual'))
	   <> (SELECT sum(CASE WHEN to_bucket = v.bucket THEN amount ELSE -amount END)
	       FROM channel.fund_ledger, (VALUES ('unallocated'::channel.fund_bucket), ('available'), ('reserved'), ('paid'), ('expired'), ('carried')) v(bucket)
	       WHERE v.bucket IN (from_bucket, to_bucket));
	CALL channel.refresh_rollups();
	SELECT 'partner_month differs from its definition' WHERE EXISTS (
	  (TABLE channel.partner_month EXCEPT TABLE channel.partner_month_computed)
	  UNION ALL (TABLE channel.partner_month_computed EXCEPT TABLE channel.partner_month));
	SELECT 'partner_line_month differs from its definition' WHERE EXISTS (
	  (TABLE channel.partner_line_month EXCEPT TABLE channel.partner_line_month_computed)
	  UNION ALL (TABLE channel.partner_line_month_computed EXCEPT TABLE channel.partner_line_month));
	SELECT 'partner_line_day differs from its definition' WHERE EXISTS (
	  (TABLE channel.partner_line_day EXCEPT SELECT c.partner_id, c.day, c.product_line, c.facts, c.leads_routed,
	     c.leads_accepted, c.leads_rejected, c.leads_recalled, c.leads_converted, c.leads_lost, c.deals_registered,
	     c.deals_won, c.deals_lost, c.won_revenue FROM channel.partner_line_day_computed c)
	  UNION ALL (SELECT c.partner_id, c.day, c.product_line, c.facts, c.leads_routed,
	     c.leads_accepted, c.leads_rejected, c.leads_recalled, c.leads_converted, c.leads_lost, c.deals_registered,
	     c.deals_won, c.deals_lost, c.won_revenue FROM channel.partner_line_day_computed c
	     EXCEPT TABLE channel.partner_line_day));
	CREATE TEMP TABLE refreshed AS TABLE channel.partner_month;
	DO $$ BEGIN PERFORM channel.rebuild_rollups(); END $$;
	SELECT 'the refreshed rollup differs from a full rebuild' WHERE EXISTS (
	  (TABLE channel.partner_month EXCEPT ALL TABLE refreshed) UNION ALL (TABLE refreshed EXCEPT ALL TABLE channel.partner_month));
SQL
)
[ -z "$bad" ] || fail "after crash recovery:
$(echo "$bad" | head -20)"
echo "# after two crashes: $(q -c "SELECT count(*) FROM channel.deal WHERE customer_name LIKE 'Crash Customer %'") registrations ($(q -c "SELECT count(*) FROM channel.deal WHERE customer_name LIKE 'Crash Customer %' AND status = 'conflict'") in conflict), $(q -c "SELECT count(*) FROM channel.lead WHERE company LIKE 'Crash Lead %'") leads, $(q -c "SELECT count(*) FROM channel.fund_ledger") ledger rows: every invariant holds, the rollups equal their definitions and a rebuild"
