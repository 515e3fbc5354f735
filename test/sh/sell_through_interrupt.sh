#!/usr/bin/env bash
# test/sh/sell_through_interrupt.sh -- an ingestion killed half-way leaves
# nothing half-published and can be run again.
#
# Stages a sell-through report of 150,000 lines, starts
# channel.ingest_sell_through() on it, terminates that backend
# (pg_terminate_backend) while it runs, and checks that the batch is still
# staged with no line, reject, end customer or won registration written;
# then runs the ingestion again and checks that every line is published or
# rejected.  Then the same for channel.ingest_sell_through_batches() over two
# reports (another partner's new lines, and a repeat of the first report's):
# killed mid-call, neither is published; run again, both are, with the
# repeat rejected as duplicates.  Run by test/run-tests.sh against its throwaway cluster (PGHOST,
# PGPORT, PGUSER and CHANNEL_PG_BIN exported).
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"

db=channel_interrupt
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() { q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"

q -d $db >/dev/null <<'SQL'
CREATE EXTENSION channel;
INSERT INTO channel.product_line (code, name) VALUES ('INT_LINE', 'Interrupt test line');
INSERT INTO channel.partner (partner_id, name, status, country, created_at) VALUES (1, 'Interrupt Reseller', 'active', 'FR', '2001-01-01');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'INT_LINE');
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
  VALUES ('INT-1', 'INT_LINE', 'Unit', 100, 'EUR', '2010-01-01');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close,
                          status, submitted_at, decided_at, protected_until)
  VALUES (1, initcap(translate(left(md5('7'), 10), '0123456789', 'ghijklmnop')) || ' Logistics', 'FR', 'INT_LINE', 1000, 'EUR', '2019-09-30', 'approved',
          '2019-01-01', '2019-01-02', '2019-12-01');
SELECT channel.open_report('sell_through', 1, 'big.csv');
-- 150,000 lines to 15,000 customers (a made-up word each, then Logistics), 1% bad
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country)
SELECT (i % 10 + 1)::text, 'INV-' || (i / 10), '2019-06-' || lpad((1 + i % 28)::text, 2, '0'),
       CASE WHEN i % 100 = 0 THEN 'NOPE' ELSE 'INT-1' END, '1', '90', 'EUR',
       initcap(translate(left(md5((i % 15000)::text), 10), '0123456789', 'ghijklmnop')) || ' Logistics', 'FR'
FROM generate_series(1, 150000) i;
SQL
batch=$(q -d $db -c "SELECT batch_id FROM channel.report_batch")
# what is there before the ingestion (the registration's end customer and
# its spelling, which the registration itself made)
written() {
	q -d $db -c "SELECT (SELECT count(*) FROM channel.sell_through) + (SELECT count(*) FROM channel.report_reject)
	                    + (SELECT count(*) FROM channel.end_customer) + (SELECT count(*) FROM channel.end_customer_alias)
	                    + (SELECT count(*) FROM channel.deal WHERE status = 'won')"
}
before=$(written)

# kill_mid_run SQL: start SQL in its own session, wait until it runs, let it
# run a second, then terminate its backend and wait for it to be gone; the
# backend's pid in $pid
kill_mid_run() {
	local sql=$1 client
	"$CHANNEL_PG_BIN/psql" -X -q -d $db -c "$sql" >/dev/null 2>&1 &
	client=$!
	pid=""
	for _ in $(seq 1 100); do
		# the statement as a psql variable, quoted by psql (-c would not interpolate it)
		pid=$(echo "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND query = :'sql' AND state = 'active'" |
		      q -d $db -v sql="$sql")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || fail "the ingestion did not start: $sql"
	sleep 1
	[ "$(q -d $db -c "SELECT pg_terminate_backend($pid)")" = t ] || fail "could not terminate: $sql"
	wait $client || true
	q -d $db -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid" | grep -qx 0 || sleep 1
}
kill_mid_run "SELECT channel.ingest_sell_through($batch)"

state=$(q -d $db -c "SELECT status || ' ' || coalesce(lines_in::text, '-') FROM channel.report_batch WHERE batch_id = $batch")
[ "$state" = "staged -" ] || fail "after the kill the batch is '$state', not staged"
left=$(( $(written) - before ))
[ "$left" = 0 ] || fail "the killed ingestion left $left rows behind"
echo "# killed backend $pid mid-batch: batch still staged, nothing written"

# run it again: everything is published or rejected, once
out=$(q -d $db -c "SELECT lines_in || ' ' || lines_published || ' ' || lines_rejected || ' ' || registrations_won
                   FROM channel.ingest_sell_through($batch)")
[ "$out" = "150000 148500 1500 1" ] || fail "the re-run gave '$out', not '150000 148500 1500 1'"
facts=$(q -d $db -c "SELECT count(*) FROM channel.sell_through")
customers=$(q -d $db -c "SELECT count(*) FROM channel.end_customer")
# how many customers the 14,850 names of the good lines make is the
# matcher's business (two made-up words a fold apart are one company); what
# the re-run must not do is make a customer for a name seen only on a bad
# line, or leave a published line without its customer
names_used=$(q -d $db -c "SELECT count(DISTINCT customer_name) || ' ' || count(DISTINCT end_customer_id) || ' ' ||
                                 count(*) FILTER (WHERE end_customer_id IS NULL) FROM channel.sell_through")
[ "$facts" = 148500 ] || fail "$facts lines published, not 148500"
set -- $names_used
[ "$1" = 14850 ] || fail "$1 customer names published, not 14850"
[ "$3" = 0 ] || fail "$3 published lines have no end customer"
[ "$customers" = "$2" ] || fail "$customers end customers, but published lines use $2 (customers made from bad lines only?)"
[ "$customers" -le 14850 ] && [ "$customers" -ge 14700 ] || fail "$customers end customers for 14850 names"
echo "# re-run: 150000 lines in, 148500 published, 1500 rejected, $customers end customers for 14850 names, 1 registration won"

# many reports in one call, killed half-way: another partner's 30,000 new
# lines (1% bad) and the first partner's first 10,000 lines sent again
q -d $db >/dev/null <<'SQL'
INSERT INTO channel.partner (partner_id, name, status, country, created_at) VALUES (2, 'Interrupt Integrator', 'active', 'FR', '2001-01-01');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (2, 'INT_LINE');
SELECT channel.open_report('sell_through', 2, 'other.csv');
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country)
SELECT (i % 10 + 1)::text, 'OTH-' || (i / 10), '2019-07-' || lpad((1 + i % 28)::text, 2, '0'),
       CASE WHEN i % 100 = 0 THEN 'NOPE' ELSE 'INT-1' END, '2', '95', 'EUR',
       initcap(translate(left(md5((20000 + i % 3000)::text), 10), '0123456789', 'ghijklmnop')) || ' Handel', 'FR'
FROM generate_series(1, 30000) i;
-- the first report's first 10,000 lines, sent again as they were
SELECT channel.open_report('sell_through', 1, 'big.csv (again)');
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country)
SELECT s.line_no, s.invoice_no, s.invoice_date, s.sku, s.quantity, s.unit_price, s.currency, s.customer_name, s.customer_country
FROM channel.sell_through_staging s
WHERE s.batch_id = (SELECT min(r.batch_id) FROM channel.report_batch r)
ORDER BY s.row_no LIMIT 10000;
SQL
batches=$(q -d $db -c "SELECT array_agg(batch_id ORDER BY batch_id) FROM channel.report_batch WHERE status = 'staged'")
before=$(written)
kill_mid_run "SELECT count(*) FROM channel.ingest_sell_through_batches('$batches')"
state=$(q -d $db -c "SELECT string_agg(status || ' ' || coalesce(lines_in::text, '-'), ', ' ORDER BY batch_id)
                     FROM channel.report_batch WHERE batch_id = ANY ('$batches')")
[ "$state" = "staged -, staged -" ] || fail "after the kill the batches are '$state', not both staged"
left=$(( $(written) - before ))
[ "$left" = 0 ] || fail "the killed ingestion of $batches left $left rows behind"
echo "# killed backend $pid mid-call over batches $batches: both still staged, nothing written"
out=$(q -d $db -c "SELECT string_agg(lines_in || ' ' || lines_published || ' ' || lines_rejected || ' ' || lines_duplicate, ', '
                                     ORDER BY batch_id)
                   FROM channel.ingest_sell_through_batches('$batches')")
[ "$out" = "30000 29700 300 0, 10000 0 10000 9900" ] ||
	fail "the re-run gave '$out', not '30000 29700 300 0, 10000 0 10000 9900'"
facts=$(q -d $db -c "SELECT count(*) FROM channel.sell_through")
[ "$facts" = 178200 ] || fail "$facts lines published in all, not 148500 + 29700"
echo "# re-run: 30000 lines in, 29700 published, 300 rejected; the repeat: 10000 rejected, 9900 of them duplicates"
echo "ok"
