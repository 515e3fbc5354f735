#!/usr/bin/env bash
# test/bench/channel_data.sh -- sell-through ingestion and matching at volume.
#
#   bash test/bench/channel_data.sh                    # 1,000,000 lines on the default demo
#   BENCH_LINES=200000 bash test/bench/channel_data.sh # a quicker run
#   BENCH_DB=demo1 BENCH_LINES=200000 bash test/bench/channel_data.sh
#       # against a database of an already running cluster (PGHOST...) that
#       # holds generate_demo() and nothing else; it is copied, not changed
#   BENCH_RUNS=3 ...                                   # the lines staged once, ingested 3 times
#       # (each run on a fresh copy of the staged database); median and range
#   BENCH_PER_CALL=1 ...      # batches per ingestion call (default 250):
#       # channel.ingest_sell_through_batches() of that many staged batches
#       # per transaction; 1 is channel.ingest_sell_through() of each
#
# On the demo channel (generate_demo), channel.demo_channel_data() stages
# BENCH_LINES sell-through lines in one batch per reporting partner.  Then:
#   * ingestion: COPY of the staged file into channel.sell_through_staging
#     and channel.ingest_sell_through_batches() of BENCH_PER_CALL batches at
#     a time, each call its own transaction -- validation, duplicates,
#     end-customer matching, closed loop
#   * a bare COPY of the published lines into a table shaped like
#     channel.sell_through with its indexes: the floor of any load; and the
#     same into a table that also has channel.sell_through's foreign keys
#     (the final table as it is, but for its rollup and feed triggers)
#   * the row-by-row PL/pgSQL loop a user would write with the same checks
#     and company_similarity (on BENCH_LOOP_LINES of the lines, per line)
#   * matching accuracy against the generator's truth: precision and recall
#     of the registration (own or another partner's) found for each line
source "$(dirname "$0")/../lib.sh"

lines=${BENCH_LINES:-1000000}
loop_lines=${BENCH_LOOP_LINES:-3000}
runs=${BENCH_RUNS:-1}
per_call=${BENCH_PER_CALL:-250}
work=$(mktemp -d /tmp/channel_bench.XXXXXX)
chmod 777 "$work"

if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	createdb channel_bench_src
	psql -X -q -d channel_bench_src -c "CREATE EXTENSION channel" \
	  -c "SELECT count(*) FROM channel.generate_demo(27500, 200000, 1)" >/dev/null 2>&1
	BENCH_DB=channel_bench_src
fi
db=channel_bench_run
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d $db "$@"; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null || return; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $BENCH_DB"
say "staging $lines demo lines (channel.demo_channel_data)"
q -c "SELECT item || ': ' || how_many FROM channel.demo_channel_data($lines, 1)"
# the staged file, with its batch: what partners send, what COPY loads
q -c "COPY (SELECT batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency, customer_name,
               customer_country, customer_city, customer_postcode, reseller_id
        FROM channel.sell_through_staging ORDER BY row_no) TO '$work/pos.csv' WITH (FORMAT csv)"
q -c "CREATE TABLE bench_truth AS SELECT s.batch_id, s.line_no, s.invoice_no, t.kind, t.deal_id
      FROM channel.sell_through_staging s JOIN channel.demo_sell_through_truth t USING (batch_id, row_no)"
q -c "DELETE FROM channel.sell_through_staging" -c "VACUUM ANALYZE channel.sell_through_staging" \
  -c "VACUUM ANALYZE channel.deal" -c "VACUUM ANALYZE channel.end_customer"
staged=$(wc -l < "$work/pos.csv")
batches=$(q -c "SELECT count(*) FROM channel.report_batch WHERE kind = 'sell_through'")
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS channel_bench_staged" -c "CREATE DATABASE channel_bench_staged TEMPLATE $db"
for run in $(seq 1 "$runs"); do
[ "$run" = 1 ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE channel_bench_staged"
say "run $run of $runs (load: $(cut -d' ' -f1-3 /proc/loadavg))"

say "ingestion: COPY into staging + ingestion of $batches batches, $per_call per call"
copy_ms=$(ms q -c "COPY channel.sell_through_staging (batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price,
                   currency, customer_name, customer_country, customer_city, customer_postcode, reseller_id)
                   FROM '$work/pos.csv' WITH (FORMAT csv)")
if [ "$per_call" = 1 ]; then
	q -c "SELECT format('SELECT 1 FROM channel.ingest_sell_through(%s);', batch_id) FROM channel.report_batch
	      WHERE kind = 'sell_through' ORDER BY batch_id" > "$work/ingest.sql"
else
	q -c "SELECT format('SELECT count(*) FROM channel.ingest_sell_through_batches(''%s'');', array_agg(batch_id ORDER BY batch_id))
	      FROM (SELECT batch_id, (row_number() OVER (ORDER BY batch_id) - 1) / $per_call AS k FROM channel.report_batch
	            WHERE kind = 'sell_through') b GROUP BY k ORDER BY k" > "$work/ingest.sql"
fi
ingest_ms=$(ms psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$work/ingest.sql")
q -c "SELECT 'lines in ' || sum(lines_in) || ', published ' || sum(lines_published) || ', rejected ' || sum(lines_rejected)
              || ' (duplicates ' || sum(lines_duplicate) || '), new end customers ' || sum(customers_new)
              || ', registered ' || sum(lines_registered) || ', leakage ' || sum(lines_leakage)
              || ', unregistered ' || sum(lines_unregistered) || ', registrations won ' || sum(registrations_won)
      FROM channel.report_batch WHERE kind = 'sell_through'"
q -c "SELECT 'end customers ' || count(*) FROM channel.end_customer"

say "bare COPY of the published lines into a table like channel.sell_through, with its indexes"
q -c "COPY (SELECT * FROM channel.sell_through) TO '$work/facts.csv' WITH (FORMAT csv)"
q -c "CREATE TABLE bench_final (LIKE channel.sell_through INCLUDING INDEXES INCLUDING CONSTRAINTS)"
q -c "ALTER TABLE bench_final ALTER COLUMN amount DROP EXPRESSION" 2>/dev/null || true
bare_ms=$(ms q -c "COPY bench_final FROM '$work/facts.csv' WITH (FORMAT csv)")
facts=$(wc -l < "$work/facts.csv")
q -c "CREATE TABLE bench_final_fk (LIKE bench_final INCLUDING ALL)"
q -c "DO \$\$ DECLARE c record; BEGIN
        FOR c IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                 WHERE conrelid = 'channel.sell_through'::regclass AND contype = 'f' LOOP
          EXECUTE format('ALTER TABLE bench_final_fk ADD CONSTRAINT %I %s', c.conname, c.def);
        END LOOP; END \$\$"
bare_fk_ms=$(ms q -c "COPY bench_final_fk FROM '$work/facts.csv' WITH (FORMAT csv)")

say "row-by-row PL/pgSQL with the same checks and company_similarity, $loop_lines lines"
q <<'SQL'
CREATE TABLE bench_loop_fact (LIKE channel.sell_through INCLUDING DEFAULTS INCLUDING IDENTITY);
CREATE TABLE bench_loop_customer (id bigserial PRIMARY KEY, name text, country text);
CREATE INDEX ON bench_loop_customer (country);
INSERT INTO bench_loop_customer (name, country) SELECT name, country FROM channel.end_customer;
CREATE FUNCTION bench_loop(n integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  s record; pid bigint; pline text; qty integer; price numeric; d date; cust bigint; best real; deal bigint; k integer := 0;
BEGIN
  FOR s IN SELECT st.*, b.partner_id AS reporter FROM channel.sell_through_staging st
           JOIN channel.report_batch b USING (batch_id) ORDER BY st.row_no LIMIT n LOOP
    SELECT p.product_id, p.product_line INTO pid, pline FROM channel.product p WHERE p.sku = upper(btrim(s.sku));
    IF pid IS NULL THEN
      SELECT p.product_id, p.product_line INTO pid, pline FROM channel.product_alias a JOIN channel.product p USING (product_id)
      WHERE a.partner_id = s.reporter AND a.partner_sku = upper(btrim(s.sku));
    END IF;
    CONTINUE WHEN pid IS NULL OR s.quantity !~ '^\s*[0-9]{1,7}\s*$' OR s.unit_price !~ '^\s*[0-9]{1,12}(\.[0-9]{1,4})?\s*$'
      OR NOT EXISTS (SELECT 1 FROM channel.currency WHERE code = upper(btrim(s.currency)))
      OR NOT EXISTS (SELECT 1 FROM channel.country WHERE code = upper(btrim(s.customer_country)))
      OR coalesce(s.customer_name, '') = '';
    BEGIN d := btrim(s.invoice_date)::date; EXCEPTION WHEN others THEN CONTINUE; END;
    CONTINUE WHEN d > current_date;
    -- the customer: the most similar one of the country, else a new one
    SELECT c.id, channel.company_similarity(c.name, s.customer_name) INTO cust, best
    FROM bench_loop_customer c WHERE c.country = upper(btrim(s.customer_country))
    ORDER BY 2 DESC LIMIT 1;
    IF cust IS NULL OR best < 0.85 THEN
      INSERT INTO bench_loop_customer (name, country) VALUES (s.customer_name, upper(btrim(s.customer_country))) RETURNING id INTO cust;
    END IF;
    -- the registration: a live one of the customer and line
    SELECT dl.deal_id INTO deal FROM channel.deal dl
    WHERE dl.customer_country = upper(btrim(s.customer_country)) AND dl.product_line = pline
      AND dl.status IN ('submitted', 'approved') AND channel.company_similarity(dl.customer_name, s.customer_name) >= 0.85
    ORDER BY dl.deal_id LIMIT 1;
    INSERT INTO bench_loop_fact (partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id, product_line,
                                 quantity, unit_price, currency, customer_name, customer_country, end_customer_id,
                                 seller_id, registration, deal_id)
    VALUES (s.reporter, s.invoice_no || '/' || s.row_no, 1, s.batch_id, s.row_no, d, pid, pline, btrim(s.quantity)::int,
            btrim(s.unit_price)::numeric, upper(btrim(s.currency)), s.customer_name, upper(btrim(s.customer_country)),
            cust, s.reporter, CASE WHEN deal IS NULL THEN 'unregistered' ELSE 'registered' END, deal);
    k := k + 1;
  END LOOP;
  RETURN k;
END $$;
SQL
loop_ms=$(ms q -c "SELECT bench_loop($loop_lines)")

say "matching accuracy against the generator's truth"
q <<'SQL'
WITH m AS (
  SELECT t.kind, t.deal_id AS truth_deal, coalesce(f.deal_id, f.leakage_deal_id) AS found_deal
  FROM bench_truth t JOIN channel.sell_through f
    ON f.batch_id = t.batch_id AND f.invoice_no = t.invoice_no AND f.line_no = t.line_no::int
  WHERE t.kind IN ('registered', 'leakage', 'unregistered')
), judged AS (
  SELECT m.*, m.found_deal IS NOT NULL AND m.truth_deal IS NOT NULL
              AND (m.found_deal = m.truth_deal
                   OR EXISTS (SELECT 1 FROM channel.deal a, channel.deal b
                              WHERE a.deal_id = m.found_deal AND b.deal_id = m.truth_deal
                                AND (a.customer_country, a.product_line, a.customer_key)
                                    = (b.customer_country, b.product_line, b.customer_key))) AS correct
  FROM m)
SELECT 'lines judged ' || count(*) || ', registration found ' || count(found_deal) || ', truly from a registration '
       || count(truth_deal) || ', correct ' || count(*) FILTER (WHERE correct)
       || '; precision ' || round(count(*) FILTER (WHERE correct)::numeric / nullif(count(found_deal), 0), 4)
       || ', recall ' || round(count(*) FILTER (WHERE correct)::numeric / nullif(count(truth_deal), 0), 4)
FROM judged;
SQL

total=$((copy_ms + ingest_ms))
echo
printf 'staged lines %s in %s batches; published %s; distinct (country, spelling) %s\n' "$staged" "$batches" "$facts" \
  "$(q -c "SELECT count(*) FROM channel.end_customer_alias")"
printf 'ingestion (COPY %s ms + ingest %s ms): %s ms, %.0f lines/s\n' "$copy_ms" "$ingest_ms" "$total" "$(echo "$staged * 1000 / $total" | bc -l)"
printf 'bare COPY of the published lines: %s ms, %.0f lines/s; ingestion = %.2f of its throughput\n' \
  "$bare_ms" "$(echo "$facts * 1000 / $bare_ms" | bc -l)" "$(echo "($staged / $total) / ($facts / $bare_ms)" | bc -l)"
printf 'bare COPY with the foreign keys too: %s ms, %.0f lines/s; ingestion = %.2f of its throughput\n' \
  "$bare_fk_ms" "$(echo "$facts * 1000 / $bare_fk_ms" | bc -l)" "$(echo "($staged / $total) / ($facts / $bare_fk_ms)" | bc -l)"
printf 'row-by-row PL/pgSQL: %s lines in %s ms, %.0f lines/s; ingestion is %.1fx faster\n' \
  "$loop_lines" "$loop_ms" "$(echo "$loop_lines * 1000 / $loop_ms" | bc -l)" \
  "$(echo "($staged * 1000 / $total) / ($loop_lines * 1000 / $loop_ms)" | bc -l)"
echo "run $run: ingest_ms $total bare_ms $bare_ms bare_fk_ms $bare_fk_ms loop_ms $loop_ms ratio $(echo "($staged / $total) / ($facts / $bare_ms)" | bc -l) ratio_fk $(echo "($staged / $total) / ($facts / $bare_fk_ms)" | bc -l) speedup $(echo "($staged * 1000 / $total) / ($loop_lines * 1000 / $loop_ms)" | bc -l) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/runs"
done

if [ "$runs" -gt 1 ]; then
	echo
	cat "$work/runs"
	# "run N: ingest_ms X bare_ms Y loop_ms Z ratio R speedup S load ...": names in
	# the odd fields from the third, their values in the even ones after them
	for col in 4 6 8 10 12 14 16; do
		name=$(awk -v c=$((col - 1)) 'NR == 1 { print $c }' "$work/runs")
		sort -g -k$col,$col "$work/runs" | awk -v c=$col -v n="$name" \
		  '{ v[NR] = $c } END { printf "%s: median %.2f (%.2f-%.2f)\n", n, v[int((NR + 1) / 2)], v[1], v[NR] }'
	done
fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS channel_bench_staged"
rm -rf "$work"
