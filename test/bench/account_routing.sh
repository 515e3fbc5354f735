#!/usr/bin/env bash
# test/bench/account_routing.sh -- what account-centric routing costs
# route_leads() (doc/leads.md, "Account-centric routing").
#
#   bash test/bench/account_routing.sh                     # generate_demo(1000, 20000) in a throwaway cluster
#   BENCH_PARTNERS=27500 BENCH_LEADS=200000 bash test/bench/account_routing.sh
#   BENCH_DB=t1 bash test/bench/account_routing.sh         # a database of a running cluster (PGHOST...)
#                                                          # holding generate_demo(); changes are rolled back
#
# Every second lead that is not new is reset to new, then route_leads() runs
# RUNS times with channel.account_routing = prefer and = off alternately,
# each rolled back to the same state; prints each time and how many leads
# went to their account holder.
source "$(dirname "$0")/../lib.sh"

partners=${BENCH_PARTNERS:-1000}
leads=${BENCH_LEADS:-20000}
runs=${RUNS:-3}

if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	createdb channel_bench_accounts
	psql -X -q -d channel_bench_accounts -c "CREATE EXTENSION channel" \
	  -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" >/dev/null 2>&1
	BENCH_DB=channel_bench_accounts
fi
{
	echo '\timing on'
	echo 'BEGIN;'
	echo "UPDATE channel.lead SET status = 'new', partner_id = NULL, routed_at = NULL, accept_by = NULL, accepted_at = NULL,"
	echo "       closed_at = NULL, reject_reason = NULL, status_reason = NULL WHERE status <> 'new' AND lead_id % 2 = 0;"
	echo 'SAVEPOINT a;'
	for _ in $(seq "$runs"); do
		for mode in prefer off; do
			echo "SET LOCAL channel.account_routing = $mode;"
			echo "\\echo route_leads $mode"
			echo 'SELECT count(*) AS routed FROM channel.route_leads();'
			echo "SELECT count(*) FILTER (WHERE status_reason LIKE '%account holder%') AS to_holder FROM channel.lead;"
			echo 'ROLLBACK TO SAVEPOINT a;'
		done
	done
	echo 'ROLLBACK;'
} | psql -X -q -d "$BENCH_DB" -f - 2>&1 | grep -E 'route_leads|Time: [0-9]{3,}|^ +[0-9]+$' | paste -s -d' ' | sed 's/route_leads/\nroute_leads/g'
echo
uptime
