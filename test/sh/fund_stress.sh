#!/usr/bin/env bash
# test/sh/fund_stress.sh -- 8 clients approving and claiming at random
# against a handful of fund allocations for a minute (FUND_STRESS_SECONDS),
# then every balance checked against a recomputation from the ledger: no
# overdraft, no lost row, no claim above its approval, no deadlock, no
# client aborted by an unexpected error.
#
# Four pgbench clients are the portal application acting for the partners
# (channel.set_portal_partner): they ask for funds, claim against approved
# requests and cancel requests.  Four are channel managers: they approve or
# reject requests (partially, at random), approve and pay claims, close
# requests.  Each transaction picks an allocation and an action at random;
# refusals the rules call for (insufficient funds, a claim above what is
# left, a request that changed state meanwhile) are counted, anything else
# aborts the client and fails the test.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported); uses its own database and removes it.
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"
seconds=${FUND_STRESS_SECONDS:-60}
db=channel_fund_stress

q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	"$CHANNEL_PG_BIN/dropdb" --if-exists "$db" >/dev/null 2>&1 || true
	"$CHANNEL_PG_BIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS regress_stress_portal" \
		-c "DROP ROLE IF EXISTS regress_stress_mgr" >/dev/null 2>&1 || true
	[ -n "${FUND_STRESS_KEEP:-}" ] || rm -rf "$work"
}
work=$(mktemp -d)
trap cleanup EXIT

"$CHANNEL_PG_BIN/dropdb" --if-exists "$db" >/dev/null 2>&1
"$CHANNEL_PG_BIN/createdb" "$db"
q <<-'SQL'
	CREATE EXTENSION channel;
	DO $$ BEGIN
	  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_stress_portal') THEN CREATE ROLE regress_stress_portal LOGIN; END IF;
	  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_stress_mgr') THEN CREATE ROLE regress_stress_mgr LOGIN; END IF;
	END $$;
	GRANT channel_portal TO regress_stress_portal;
	GRANT channel_admin TO regress_stress_mgr;
	INSERT INTO channel.partner (partner_id, name, status, country)
	SELECT i, 'Stress Partner ' || i, 'active', 'DE' FROM generate_series(1, 4) i;
	SELECT channel.create_fund_budget('Stress MDF', 'mdf', 'quarter', date_trunc('quarter', current_date)::date, 'EUR', 250000, 2000);
	SELECT count(*) FROM channel.allocate_funds(1, 40000, ARRAY[1, 2, 3, 4]::bigint[]);

	-- the clients' actions, as the calling role (SECURITY INVOKER)
	CREATE SCHEMA fund_stress;
	GRANT USAGE ON SCHEMA fund_stress TO regress_stress_portal, regress_stress_mgr;
	CREATE TABLE fund_stress.outcome (who text, action text, result text, n bigint NOT NULL DEFAULT 1, PRIMARY KEY (who, action, result));
	GRANT INSERT, UPDATE, SELECT ON fund_stress.outcome TO regress_stress_portal, regress_stress_mgr;

	CREATE FUNCTION fund_stress.note(who text, action text, result text) RETURNS void LANGUAGE sql AS $f$
	  INSERT INTO fund_stress.outcome VALUES (who, action, result) ON CONFLICT (who, action, result) DO UPDATE SET n = outcome.n + 1
	$f$;

	CREATE FUNCTION fund_stress.partner_step(alloc bigint, op integer, amt integer) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
	  q0 date := date_trunc('quarter', current_date)::date;
	  rid bigint;
	  left_ numeric;
	  action text;
	BEGIN
	  PERFORM channel.set_portal_partner(alloc);   -- allocation n belongs to partner n
	  BEGIN
	    IF op <= 2 THEN
	      action := 'request';
	      PERFORM channel.create_fund_request(alloc, 'event', 'stress', q0, q0 + 1, amt * 10, 'EUR');
	    ELSIF op <= 4 THEN
	      action := 'claim';
	      SELECT r.request_id, r.approved_amount - channel.fund_request_claimed(r.request_id) INTO rid, left_
	      FROM channel.fund_request r WHERE r.allocation_id = alloc AND r.status = 'approved' ORDER BY random() LIMIT 1;
	      IF rid IS NULL THEN PERFORM fund_stress.note('partner', action, 'nothing to do'); RETURN; END IF;
	      -- mostly within what is left, sometimes over it
	      PERFORM channel.create_fund_claim(rid, greatest(round(left_ * (0.3 + random() * 0.9)::numeric, 2), 0.01), 'EUR',
	                                        jsonb_build_array(jsonb_build_object('number', 'S-' || clock_timestamp()::text, 'amount', left_ * 2 + 1)),
	                                        ARRAY['proof.pdf']);
	    ELSE
	      action := 'cancel';
	      SELECT r.request_id INTO rid FROM channel.fund_request r
	      WHERE r.allocation_id = alloc AND r.status IN ('submitted', 'approved') ORDER BY random() LIMIT 1;
	      IF rid IS NULL THEN PERFORM fund_stress.note('partner', action, 'nothing to do'); RETURN; END IF;
	      PERFORM channel.cancel_fund_request(rid, 'stress');
	    END IF;
	    PERFORM fund_stress.note('partner', action, 'done');
	  EXCEPTION WHEN check_violation OR object_not_in_prerequisite_state THEN
	    PERFORM fund_stress.note('partner', action, 'refused: ' || SQLSTATE);
	  END;
	END
	$f$;

	CREATE FUNCTION fund_stress.manager_step(alloc bigint, op integer, amt integer) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
	DECLARE
	  id bigint;
	  x numeric;
	  action text;
	BEGIN
	  BEGIN
	    IF op <= 2 THEN
	      action := 'approve request';
	      SELECT r.request_id, r.planned_cost INTO id, x FROM channel.fund_request r
	      WHERE r.allocation_id = alloc AND r.status = 'submitted' ORDER BY random() LIMIT 1;
	      IF id IS NULL THEN PERFORM fund_stress.note('manager', action, 'nothing to do'); RETURN; END IF;
	      IF random() < 0.1 THEN
	        action := 'reject request';
	        PERFORM channel.reject_fund_request(id, 'stress');
	      ELSE
	        -- a first or second approval (above 2,000 two are needed: the
	        -- second comes from the same role and is refused), sometimes partial
	        PERFORM channel.approve_fund_request(id, CASE WHEN random() < 0.3 THEN round(x * 0.5, 2) END);
	      END IF;
	    ELSIF op = 3 THEN
	      action := 'approve claim';
	      SELECT c.claim_id INTO id FROM channel.fund_claim c JOIN channel.fund_request r USING (request_id)
	      WHERE r.allocation_id = alloc AND c.status = 'submitted' ORDER BY random() LIMIT 1;
	      IF id IS NULL THEN PERFORM fund_stress.note('manager', action, 'nothing to do'); RETURN; END IF;
	      IF random() < 0.1 THEN
	        action := 'reject claim';
	        PERFORM channel.reject_fund_claim(id, 'stress');
	      ELSE
	        PERFORM channel.approve_fund_claim(id);
	      END IF;
	    ELSIF op <= 5 THEN
	      action := 'pay claim';
	      SELECT c.claim_id INTO id FROM channel.fund_claim c JOIN channel.fund_request r USING (request_id)
	      WHERE r.allocation_id = alloc AND c.status = 'approved' ORDER BY random() LIMIT 1;
	      IF id IS NULL THEN PERFORM fund_stress.note('manager', action, 'nothing to do'); RETURN; END IF;
	      PERFORM channel.pay_fund_claim(id, 'PAY-' || id);
	    ELSE
	      action := 'close request';
	      SELECT r.request_id INTO id FROM channel.fund_request r
	      WHERE r.allocation_id = alloc AND r.status = 'approved' ORDER BY random() LIMIT 1;
	      IF id IS NULL THEN PERFORM fund_stress.note('manager', action, 'nothing to do'); RETURN; END IF;
	      PERFORM channel.close_fund_request(id);
	    END IF;
	    PERFORM fund_stress.note('manager', action, 'done');
	  EXCEPTION WHEN check_violation OR object_not_in_prerequisite_state OR insufficient_privilege THEN
	    PERFORM fund_stress.note('manager', action, 'refused: ' || SQLSTATE);
	  END;
	END
	$f$;
	GRANT EXECUTE ON FUNCTION fund_stress.partner_step(bigint, integer, integer), fund_stress.note(text, text, text)
	  TO regress_stress_portal;
	GRANT EXECUTE ON FUNCTION fund_stress.manager_step(bigint, integer, integer), fund_stress.note(text, text, text)
	  TO regress_stress_mgr;
	-- the stress helpers read the tables through the channel roles' own privileges
	GRANT EXECUTE ON FUNCTION channel.fund_request_claimed(bigint, bigint) TO regress_stress_portal;
SQL

cat >"$work/partner.sql" <<-'EOF'
	\set alloc random(1, 4)
	\set op random(1, 6)
	\set amt random(5, 300)
	BEGIN;
	SELECT fund_stress.partner_step(:alloc, :op, :amt);
	COMMIT;
EOF
cat >"$work/manager.sql" <<-'EOF'
	\set alloc random(1, 4)
	\set op random(1, 6)
	\set amt random(5, 300)
	SELECT fund_stress.manager_step(:alloc, :op, :amt);
EOF

deadlocks_before=$(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
echo "8 clients for ${seconds}s: 4 portal (partners), 4 channel managers"
"$CHANNEL_PG_BIN/pgbench" -n -c 4 -j 2 -T "$seconds" -U regress_stress_portal -f "$work/partner.sql" "$db" >"$work/p.log" 2>&1 &
pp=$!
"$CHANNEL_PG_BIN/pgbench" -n -c 4 -j 2 -T "$seconds" -U regress_stress_mgr -f "$work/manager.sql" "$db" >"$work/m.log" 2>&1 &
pm=$!
prc=0; mrc=0
wait $pp || prc=$?
wait $pm || mrc=$?
grep -E "transactions actually processed|failed|aborted" "$work/p.log" "$work/m.log" || true
[ "$prc" = 0 ] && [ "$mrc" = 0 ] || { tail -n 20 "$work/p.log" "$work/m.log"; fail "a pgbench run failed (partner $prc, manager $mrc)"; }
grep -q "client [0-9]* aborted" "$work/p.log" "$work/m.log" && { grep "aborted" "$work/p.log" "$work/m.log"; fail "a client was aborted"; }

q -F ' | ' -c "SELECT who, action, result, n FROM fund_stress.outcome ORDER BY who, action, result"
[ "$(q -c "SELECT coalesce(sum(n), 0) FROM fund_stress.outcome WHERE result = 'done' AND action IN ('pay claim')")" -gt 0 ] \
	|| fail "no claim was paid: the run did not exercise the ledger"

deadlocks=$(( $(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") - deadlocks_before ))
[ "$deadlocks" = 0 ] || fail "$deadlocks deadlocks"

# every balance against a recomputation from the ledger
q -F ' | ' -c "SELECT partner_id, allocated, reserved, paid, available FROM channel.fund_balance ORDER BY partner_id"
bad=$(q <<-'SQL'
	WITH per_alloc AS (
	  SELECT a.allocation_id, a.ledger_entries,
	         count(l.entry_id) FILTER (WHERE l.from_bucket IN ('available', 'reserved')) AS rows,
	         coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('allocation', 'accrual', 'carry_in', 'release')), 0)
	         - coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('reservation', 'expiry', 'carry_out')), 0) AS available,
	         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'reservation'), 0)
	         - coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('release', 'payment')), 0) AS reserved
	  FROM channel.fund_allocation a LEFT JOIN channel.fund_ledger l ON l.allocation_id = a.allocation_id
	  GROUP BY a.allocation_id),
	per_request AS (
	  SELECT r.request_id, r.status, r.approved_amount,
	         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'reservation'), 0) AS reserved_in,
	         coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('release', 'payment')), 0) AS reserved_out,
	         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'payment'), 0) AS paid,
	         (SELECT coalesce(sum(CASE WHEN c.status = 'submitted' THEN c.amount ELSE c.approved_amount END), 0)
	          FROM channel.fund_claim c WHERE c.request_id = r.request_id AND c.status IN ('submitted', 'approved', 'paid')) AS claimed,
	         (SELECT coalesce(sum(c.approved_amount), 0) FROM channel.fund_claim c WHERE c.request_id = r.request_id AND c.status = 'paid') AS claims_paid
	  FROM channel.fund_request r LEFT JOIN channel.fund_ledger l ON l.request_id = r.request_id
	  GROUP BY r.request_id)
	SELECT 'overdrawn or miscounted allocation ' || p.allocation_id
	FROM per_alloc p JOIN channel.fund_balance b USING (allocation_id)
	WHERE p.available < 0 OR p.reserved < 0 OR p.available <> b.available OR p.reserved <> b.reserved
	   OR p.rows <> p.ledger_entries
	UNION ALL
	SELECT 'request ' || request_id || ' (' || status || ')' FROM per_request
	WHERE reserved_in - reserved_out < 0
	   OR (status IN ('approved', 'closed') AND (reserved_in <> approved_amount OR claimed > approved_amount))
	   OR (status IN ('closed', 'cancelled') AND reserved_in - reserved_out <> 0)
	   OR (status IN ('submitted', 'draft', 'rejected') AND reserved_in <> 0)
	   OR paid <> claims_paid
	UNION ALL
	SELECT 'money appeared or disappeared'
	WHERE (SELECT sum(amount) FROM channel.fund_ledger WHERE entry IN ('budget', 'accrual'))
	   <> (SELECT sum(CASE WHEN to_bucket = v.bucket THEN amount ELSE -amount END)
	       FROM channel.fund_ledger, (VALUES ('unallocated'::channel.fund_bucket), ('available'), ('reserved'), ('paid'), ('expired'), ('carried')) v(bucket)
	       WHERE v.bucket IN (from_bucket, to_bucket))
	UNION ALL
	SELECT 'budget pool miscounted' FROM channel.fund_budget b
	WHERE b.ledger_entries <> (SELECT count(*) FROM channel.fund_ledger l WHERE l.budget_id = b.budget_id
	                           AND (l.allocation_id IS NULL OR l.from_bucket = 'unallocated'))
SQL
)
[ -z "$bad" ] || fail "after the run: $bad"
echo "ledger rows: $(q -c "SELECT count(*) FROM channel.fund_ledger"), requests: $(q -c "SELECT count(*) FROM channel.fund_request"), claims: $(q -c "SELECT count(*) FROM channel.fund_claim")"
echo "every balance matches the ledger; no overdraft, no lost row, no deadlock"
