#!/usr/bin/env bash
# test/bench/deals.sh -- deal registration and company matching, measured.
#
# Prints, in one run on one throwaway cluster:
#   1. registration INSERT throughput with the conflict-detecting trigger vs
#      the same table with the trigger disabled (pgbench, 2 clients), with
#      100k and then 1M registrations already in the table, on the bench
#      cluster's CPU-only settings (fsync off) and on PostgreSQL's durable
#      defaults (fsync, synchronous_commit and full_page_writes on); each
#      run starts from the same history, and "flagged" is the share of the
#      trigger run's registrations that collided and were flagged;
#   2. the conflict lookup's latency at both sizes (it should not grow with n);
#   3. normalize_company() throughput vs the SQL a user would write instead
#      (lower(unaccent()) + regexp_replace for legal forms) over 1M demo names;
#   4. precision / recall / F1 of company_similarity() at channel.match_threshold
#      on test/data/company_pairs_world.tsv (the held-out fifth and the tuning
#      part apart, and by phenomenon) and test/data/company_pairs.tsv, beside
#      pg_trgm's similarity() at its best threshold, same pairs, same run
#      (test/bench/accuracy.sql; test/bench/accuracy.sh runs it on the dev cluster).
#
#   BENCH_SECONDS=20 bash test/bench/deals.sh
#   BENCH_PARTS="tps normalize accuracy"   (the default: all three; name fewer to skip some)
#   BENCH_RUNS=3                           (the 1M throughput measured 3 times, one load)
#   BENCH_PARTS=instructions               (5. the trigger's cost in instructions, under
#                                           callgrind: the same count on a busy machine)
source "$(dirname "$0")/../lib.sh"

seconds=${BENCH_SECONDS:-20}
parts=" ${BENCH_PARTS:-tps normalize accuracy} "
want() { [[ $parts == *" $1 "* ]]; }
pairs=$CHANNEL_SRC/test/data/company_pairs.tsv
pairs_world=$CHANNEL_SRC/test/data/company_pairs_world.tsv

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster

export PGDATABASE=bench
createdb bench
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
qt() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }

say "demo channel (27,500 partners) for names and partners"
q -c "CREATE EXTENSION channel CASCADE" -c "CREATE EXTENSION pg_trgm" -c "CREATE EXTENSION unaccent"
q -c "SELECT count(*) FROM channel.generate_demo(27500, 20000, 1)" >/dev/null
q -c "CREATE TABLE demo_names AS SELECT deal_id, customer_name FROM channel.deal"

# 1M synthetic customers: word x word x trade x legal form, so names rarely repeat, as in
# a real registration history; 20 countries x the demo's product lines
q <<'SQL'
-- invented three-syllable words: 27,000 of them, as diverse as real names
CREATE TABLE bench_word AS
SELECT a || b || c AS w, row_number() OVER (ORDER BY a, b, c) AS k
FROM unnest('{ka,lo,mi,ra,ven,tor,bel,dan,sor,lin,mar,cor,tel,vis,nor,pel,gar,fin,hal,ros,ber,tan,quil,dor,sen,vel,mon,ar,ix,ul}'::text[]) a,
     unnest('{ka,lo,mi,ra,ven,tor,bel,dan,sor,lin,mar,cor,tel,vis,nor,pel,gar,fin,hal,ros,ber,tan,quil,dor,sen,vel,mon,ar,ix,ul}'::text[]) b,
     unnest('{ka,lo,mi,ra,ven,tor,bel,dan,sor,lin,mar,cor,tel,vis,nor,pel,gar,fin,hal,ros,ber,tan,quil,dor,sen,vel,mon,ar,ix,ul}'::text[]) c;
CREATE INDEX ON bench_word (k);
CREATE TABLE bench_trade AS
SELECT t, row_number() OVER () AS k FROM unnest(ARRAY['Logistics', 'Pharma', 'Textiles', 'Foods', 'Motors',
  'Energy', 'Mining', 'Hotels', 'Retail', 'Insurance', 'Chemicals', 'Shipping', 'Construction', 'Telecom',
  'Brewing', 'Steel', 'Paper', 'Plastics', 'Optics', 'Robotics']) AS t;
CREATE TABLE bench_names AS
SELECT i AS id,
       initcap(a.w) || ' ' || initcap(b.w) || ' ' || t.t || ' ' ||
         (ARRAY['Inc.', 'GmbH', 'S.A.', 'Ltd', 'LLC', 'AG', 'B.V.', 'S.p.A.', 'Oy', 'Pty Ltd'])[1 + i % 10] AS name,
       (ARRAY['US', 'DE', 'FR', 'GB', 'IT', 'ES', 'NL', 'SE', 'PL', 'JP', 'CN', 'KR', 'BR', 'MX', 'IN',
              'AU', 'CA', 'CH', 'AT', 'BE'])[1 + (i / 7) % 20] AS country,
       (SELECT array_agg(code ORDER BY code) FROM channel.product_line)
         [1 + floor(channel.det_random(9, 3, i) * (SELECT count(*) FROM channel.product_line))::int] AS product_line
FROM generate_series(1, 1000000) AS i
JOIN bench_word a ON a.k = 1 + floor(channel.det_random(9, 1, i) * 27000)::int
JOIN bench_word b ON b.k = 1 + floor(channel.det_random(9, 2, i) * 27000)::int
JOIN bench_trade t ON t.k = 1 + i % 20;
ALTER TABLE bench_names ADD PRIMARY KEY (id);
ANALYZE bench_names;
SQL

# n registrations of history: 15% live (approved, protected), the rest closed.
# Loaded set-based, not through the per-row triggers (which took 37+ minutes
# for 1M, and which no registration measured here goes through): the
# per-row INSERT triggers are off for the INSERT, and what they would have
# written is written by the same functions, set-based --
#   deal_register (history rows: a status other than submitted, so no
#   conflict check; protected_until given): customer_key =
#   normalize_company(name), customer_match_keys = "country|line|" ||
#   company_match_keys(name), customer_jurisdictions = company_jurisdictions(name);
#   deal_end_customer_insert (channel.end_customer_of): a spelling seen
#   before is its alias's customer; a new one, the country's customer of
#   the same key, else a new customer with the alias 'new' ('key' for the
#   further spellings of a key new in this load);
#   deal_log_insert: the submission event in channel.deal_event;
#   deal_record_conflicts fires only for a row flagged conflict (none here).
# The statement triggers (change feed, rollup queue) stay on and run as
# before.  The only thing not reproduced is end_customer_of's fuzzy merge of
# a new key into a similar customer, order-dependent and rare on these names
# (1 in 20,000 when compared); no registration measured reaches it at 1M,
# where every name is a known spelling.  check_history compares a sample
# with rows the triggers make.
per_row_insert_triggers="deal_register deal_end_customer_insert deal_log_insert deal_record_conflicts"
load_history() {  # load_history <from> <to>
	q <<SQL
CREATE TEMP TABLE h AS
SELECT i, n.name, n.country, n.product_line, channel.normalize_company(n.name) AS key, x.r
FROM generate_series($1, $2) AS i
JOIN bench_names n ON n.id = i
CROSS JOIN LATERAL (SELECT channel.det_random(9, 4, i) AS r) x;
-- new keys: one new end customer each, named by its first spelling (in load order)
INSERT INTO channel.end_customer (name, country, customer_key, match_keys)
SELECT DISTINCT ON (h.country, h.key) h.name, h.country, h.key,
       ARRAY(SELECT h.country || '|' || k FROM unnest(channel.company_match_keys(h.key)) WITH ORDINALITY u(k, o) ORDER BY o)
FROM h
WHERE NOT EXISTS (SELECT 1 FROM channel.end_customer_alias a WHERE a.country = h.country AND a.name = h.name)
  AND NOT EXISTS (SELECT 1 FROM channel.end_customer e WHERE e.country = h.country AND e.customer_key = h.key)
ORDER BY h.country, h.key, h.i;
INSERT INTO channel.end_customer_alias (country, name, end_customer_id, match, score)
SELECT DISTINCT ON (h.country, h.name) h.country, h.name, e.end_customer_id,
       CASE WHEN e.name = h.name THEN 'new' ELSE 'key' END, 1
FROM h JOIN channel.end_customer e ON e.country = h.country AND e.customer_key = h.key
WHERE NOT EXISTS (SELECT 1 FROM channel.end_customer_alias a WHERE a.country = h.country AND a.name = h.name)
ORDER BY h.country, h.name, h.i;
$(for t in $per_row_insert_triggers; do echo "ALTER TABLE channel.deal DISABLE TRIGGER $t;"; done)
CREATE TEMP TABLE loaded (deal_id bigint, status channel.deal_status, status_reason text);
WITH ins AS (
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, protected_until, submitted_at, decided_at, closed_at,
                          customer_key, customer_match_keys, customer_jurisdictions, end_customer_id)
SELECT 1 + (h.i::bigint * 7919) % 27500, h.name, h.country, h.product_line, 1000, current_date + 30,
       CASE WHEN h.r < 0.15 THEN 'approved' WHEN h.r < 0.55 THEN 'won' WHEN h.r < 0.85 THEN 'lost' ELSE 'expired' END::channel.deal_status,
       CASE WHEN h.r < 0.15 THEN now() + interval '60 days' ELSE now() - interval '200 days' END,
       now() - interval '300 days', now() - interval '299 days',
       CASE WHEN h.r >= 0.15 AND h.r < 0.85 THEN now() - interval '100 days' END,
       h.key,
       ARRAY(SELECT h.country || '|' || h.product_line || '|' || k
             FROM unnest(channel.company_match_keys(h.name)) WITH ORDINALITY u(k, o) ORDER BY o),
       channel.company_jurisdictions(h.name), a.end_customer_id
FROM h JOIN channel.end_customer_alias a ON a.country = h.country AND a.name = h.name
ORDER BY h.i
RETURNING deal_id, status, status_reason)
INSERT INTO loaded SELECT * FROM ins;
$(for t in $per_row_insert_triggers; do echo "ALTER TABLE channel.deal ENABLE TRIGGER $t;"; done)
INSERT INTO channel.deal_event (deal_id, from_status, to_status, reason)
SELECT deal_id, NULL, status, status_reason FROM loaded ORDER BY deal_id;
DROP TABLE h, loaded;
ANALYZE channel.deal;
ANALYZE channel.end_customer;
ANALYZE channel.end_customer_alias;
ANALYZE channel.deal_event;
SQL
}

# The set-based rows against the triggers': 500 of the loaded registrations
# inserted again through the triggers (in a transaction rolled back), and
# the derived columns compared; the end customer is compared through a
# spelling the trigger has not seen (the name with a trailing space, which
# normalizes alike), so end_customer_of runs its key lookup, not the alias.
check_history() {  # check_history <deal_id>: the registrations loaded after it
	local bad
	bad=$(q <<SQL
BEGIN;
CREATE TEMP TABLE s ON COMMIT DROP AS
SELECT * FROM channel.deal WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE deal_id > $1 ORDER BY deal_id DESC LIMIT 500)
   OR deal_id IN (SELECT deal_id FROM channel.deal WHERE deal_id > $1 ORDER BY deal_id LIMIT 500);
CREATE TEMP TABLE t ON COMMIT DROP AS
WITH ins AS (
  INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                            status, protected_until, submitted_at, decided_at, closed_at, status_reason)
  SELECT partner_id, customer_name || ' ', customer_country, product_line, amount, expected_close,
         status, protected_until, submitted_at, decided_at, closed_at, status_reason FROM s
  RETURNING *)
SELECT * FROM ins;
SELECT count(*) FROM s JOIN t ON t.customer_name = s.customer_name || ' ' AND t.partner_id = s.partner_id
WHERE t.customer_key IS DISTINCT FROM s.customer_key
   OR t.customer_match_keys IS DISTINCT FROM s.customer_match_keys
   OR t.customer_jurisdictions IS DISTINCT FROM s.customer_jurisdictions
   OR t.end_customer_id IS DISTINCT FROM s.end_customer_id
   OR t.status IS DISTINCT FROM s.status OR t.protected_until IS DISTINCT FROM s.protected_until
   OR (SELECT row(count(*), min(e.from_status::text), min(e.to_status::text), min(e.reason)) FROM channel.deal_event e WHERE e.deal_id = s.deal_id)
      IS DISTINCT FROM (SELECT row(count(*), min(e.from_status::text), min(e.to_status::text), min(e.reason)) FROM channel.deal_event e WHERE e.deal_id = t.deal_id)
   OR (SELECT count(*) FROM t) <> (SELECT count(*) FROM s);
ROLLBACK;
SQL
)
	printf 'set-based history after deal %s against the triggers (first and last 500): %s rows differ\n' "$1" "$bad"
	[ "$bad" = 0 ]
}

cat > "$CHANNEL_TMP/register.sql" <<'SQL'
\set n random(1, 1000000)
\set p random(1, 27500)
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
SELECT :p, name, country, product_line, 1000, current_date + 60 FROM bench_names WHERE id = :n;
SQL
chmod 644 "$CHANNEL_TMP/register.sql"

tps() {  # tps: pgbench TPS of the registration script, 2 clients
	"$CHANNEL_PG_BIN/pgbench" -n -c 2 -j 2 -T "$seconds" -f "$CHANNEL_TMP/register.sql" 2>/dev/null |
		sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
}

lookup_ms() {  # mean ms of the trigger's candidate lookup (keys + GIN probe) for 200 names
	q -c "SELECT bench_lookup_ms()"
}
q <<'SQL'
CREATE FUNCTION channel.company_match_keys_for(name text, country text, line text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT array_agg(country || '|' || line || '|' || k) FROM unnest(channel.company_match_keys(name)) k $$;
CREATE FUNCTION bench_lookup_ms() RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz := clock_timestamp();
  n integer := 0;
  c bigint;
  r record;
BEGIN
  FOR r IN SELECT name, country, product_line FROM bench_names WHERE id % 5000 = 7 LOOP
    SELECT count(*) INTO c FROM channel.deal d
    WHERE d.customer_match_keys OPERATOR(channel.&&~) channel.company_match_keys_for(r.name, r.country, r.product_line)
      AND d.status IN ('submitted', 'approved', 'conflict');
    n := n + 1;
  END LOOP;
  RETURN round((extract(epoch FROM clock_timestamp() - t0) * 1000 / n)::numeric, 3);
END
$$;
SQL

# The throwaway cluster runs fsync = off and synchronous_commit = off, so the
# bare insert is pure CPU; a deployment runs PostgreSQL's durable defaults,
# where every commit waits for its WAL flush.  Both are measured (fsync and
# full_page_writes take a reload, not a restart).
durable() {  # durable on|off
	if [ "$1" = on ]; then
		q -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
		  -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
		q -c "CHECKPOINT"
	else
		q -c "ALTER SYSTEM RESET fsync" -c "ALTER SYSTEM RESET full_page_writes" \
		  -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null
	fi
}

# Each run starts from the same table: the registrations the previous run
# added are deleted and vacuumed away, so every run has exactly the history
# it is labelled with (a 20 s run adds 60,000-120,000 rows, 15% of which
# collide), with the events their deletion cascaded to and the rollup queue
# their inserts filled (channel.partner_month_dirty, drained here as the
# rollup job would), and autovacuum is off for these tables so it cannot
# start in the middle of one configuration's run and not the other's.  The
# GIN index is rebuilt too: vacuum empties the posting lists of the deleted
# rows' keys but never removes the keys, which later lookups would step over
# (doc/deals.md, "Maintenance").
history_end=0
restore_history() {
	q -c "DELETE FROM channel.deal_conflict WHERE deal_id > $history_end" \
	  -c "ALTER TABLE channel.deal DISABLE TRIGGER USER" \
	  -c "DELETE FROM channel.deal WHERE deal_id > $history_end" \
	  -c "ALTER TABLE channel.deal ENABLE TRIGGER USER" \
	  -c "TRUNCATE channel.partner_month_dirty" \
	  -c "VACUUM channel.deal" -c "VACUUM channel.deal_conflict" -c "VACUUM channel.deal_event" \
	  -c "REINDEX INDEX channel.deal_match_keys_idx" -c "CHECKPOINT" >/dev/null
}

measure_one() {  # measure_one <label> <config>
	local with without ratio flagged
	restore_history
	with=$(tps)
	flagged=$(q -c "SELECT round(100.0 * count(*) FILTER (WHERE status = 'conflict') / greatest(count(*), 1), 1)
	                FROM channel.deal WHERE deal_id > $history_end")
	restore_history
	q -c "ALTER TABLE channel.deal DISABLE TRIGGER deal_register"
	without=$(tps)
	q -c "ALTER TABLE channel.deal ENABLE TRIGGER deal_register"
	ratio=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a / b }')
	printf '%-28s %-26s %12s %12s %8s %9s\n' "$1" "$2" "$with" "$without" "$ratio" "$flagged%"
}

measure() {  # measure <label>
	q -c "VACUUM ANALYZE channel.deal"
	history_end=$(q -c "SELECT max(deal_id) FROM channel.deal")
	measure_one "$1" "CPU only (fsync off)"
	durable on
	measure_one "$1" "durable (fsync, sync commit)"
	durable off
	restore_history
	printf '%-28s lookup (keys + GIN probe): %s ms\n' "$1" "$(lookup_ms)"
}

if want tps; then
say "registration throughput (pgbench, 2 clients, ${seconds}s each)"
for table in deal deal_conflict deal_event partner_month_dirty; do
	q -c "ALTER TABLE channel.$table SET (autovacuum_enabled = off)"
done
before=$(q -c "SELECT coalesce(max(deal_id), 0) FROM channel.deal")
load_history 1 100000
check_history "$before"
printf '%-28s %-26s %12s %12s %8s %9s\n' "existing registrations" "configuration" "TPS trigger" "TPS none" "ratio" "flagged"
measure "100,000 (15,000 live)"
before=$(q -c "SELECT max(deal_id) FROM channel.deal")
load_history 100001 1000000
check_history "$before"
# BENCH_RUNS=n measures the 1M configurations n times over the one loaded
# history (each run restores it), for figures from several runs without
# loading it n times
for run in $(seq 1 "${BENCH_RUNS:-1}"); do
	measure "1,000,000 (150,000 live)$( [ "${BENCH_RUNS:-1}" = 1 ] || echo " #$run")"
done
fi

# What the trigger adds, in instructions: 1,000 registrations (the pgbench
# script's kind, fixed random names) in one rolled-back transaction of a
# single-user backend under callgrind, with the trigger and without.  Counts
# are the same whatever else the machine is doing, unlike TPS.
if want instructions; then
say "instructions per registration, 1,000,000 registrations in the table (callgrind, single-user backend)"
[ "$(q -c "SELECT count(*) >= 1000000 FROM channel.deal")" = t ] || load_history 1 1000000
q -c "VACUUM ANALYZE channel.deal"
for trigger in on off; do
	{
		echo "BEGIN;"
		echo "SELECT channel.normalize_company('Société Générale 株式会社');"	# ICU opened in both runs
		[ $trigger = off ] && echo "ALTER TABLE channel.deal DISABLE TRIGGER deal_register;"
		# one statement per line: a single-user backend ends a statement at a newline
		q -c "SELECT format('INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close) '
		                    'SELECT %s, name, country, product_line, 1000, current_date + 60 FROM bench_names WHERE id = %s;',
		                     1 + floor(channel.det_random(9, 5, i) * 27500)::int, 1 + floor(channel.det_random(9, 6, i) * 1000000)::int)
		      FROM generate_series(1, 1000) AS i"
		echo "ROLLBACK;"
	} > "$CHANNEL_TMP/instructions_$trigger.sql"
done
chmod 644 "$CHANNEL_TMP"/instructions_*.sql
mkdir -p "$CHANNEL_TMP/callgrind" && chmod 777 "$CHANNEL_TMP/callgrind"	# written by the server's user
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -m fast -w stop >/dev/null
for trigger in on off; do
	run_as_postgres valgrind --tool=callgrind --callgrind-out-file="$CHANNEL_TMP/callgrind/$trigger" \
		"$CHANNEL_PG_BIN/postgres" --single -D "$CHANNEL_TMP/data" -c shared_preload_libraries= -c autovacuum=off bench \
		< "$CHANNEL_TMP/instructions_$trigger.sql" > "$CHANNEL_TMP/callgrind/$trigger.log" 2>&1
done
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -l "$CHANNEL_TMP/data/server.log" -w start >/dev/null
ir() {  # ir <file> <function>: inclusive instructions of a function (the whole run for "PROGRAM TOTALS")
	# every function (--threshold=100), and 0 for one never called
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | grep -m1 -F "$2" |
		awk '{gsub(",", "", $1); n = $1} END { printf "%.0f\n", n + 0 }'	# not 2.47e+09
}
on=$CHANNEL_TMP/callgrind/on off=$CHANNEL_TMP/callgrind/off
printf '%-52s %12s\n' "per registration" "instructions"
printf '%-52s %12d\n' "the run / 1,000, trigger disabled (start-up incl.)" $(( $(ir "$off" "PROGRAM TOTALS") / 1000 ))
printf '%-52s %12d\n' "what the trigger adds (with - without)" $(( ($(ir "$on" "PROGRAM TOTALS") - $(ir "$off" "PROGRAM TOTALS")) / 1000 ))
printf '%-52s %12d\n' "  the BEFORE trigger (channel.deal_register)" $(( $(ir "$on" "channel_deal_register_trigger [") / 1000 ))
printf '%-52s %12d\n' "    candidate lookup (GIN scan, heap fetches)" $(( $(ir "$on" "deal_candidates_direct [") / 1000 ))
printf '%-52s %12d\n' "    company_similarity of the candidates" $(( $(ir "$on" "company_similarity_prepared [") / 1000 ))
printf '%-52s %12d\n' "  GIN insert of the keys (with - without)" $(( ($(ir "$on" "???:gininsert") - $(ir "$off" "???:gininsert")) / 1000 ))
printf '%-52s %12d\n' "  recording conflicts (AFTER trigger)" $(( $(ir "$on" "channel_deal_record_conflicts_trigger [") / 1000 ))
fi

if want normalize; then

say "normalize_company vs plain SQL, 1M demo names (every run once warm, then timed)"
q <<'SQL'
CREATE TABLE names1m AS
WITH src AS (SELECT array_agg(customer_name ORDER BY deal_id) AS a FROM demo_names)
SELECT a[1 + i % cardinality(a)] AS name FROM src, generate_series(0, 999999) AS i;
ANALYZE names1m;
CREATE FUNCTION bench_sql_normalize(name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(regexp_replace(regexp_replace(lower(public.unaccent(name)), '&', ' and ', 'g'),
         '[^a-z0-9]+', ' ', 'g'),
         '( (inc|incorporated|corp|corporation|co|company|llc|ltd|limited|plc|gmbh|ag|kg|sa|s a|sas|sarl|spa|s p a|srl|nv|bv|b v|oy|ab|as|pty|pte|kk|k k))+ *$', ''))
$$;
SQL
cat > "$CHANNEL_TMP/norm.sql" <<'SQL'
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT count(channel.normalize_company(name)) FROM names1m;
\timing on
SELECT count(channel.normalize_company(name)) AS normalize_company FROM names1m;
SELECT count(bench_sql_normalize(name)) AS lower_unaccent_regexp FROM names1m;
SELECT count(name) AS bare_scan FROM names1m;
SQL
qt -f "$CHANNEL_TMP/norm.sql" 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -3 |
	paste -sd' ' | awk '{ printf "normalize_company  %8.0f ms  (%.0f names/s)\nSQL lower(unaccent())+regexp  %8.0f ms\nbare scan  %8.0f ms\nratio SQL / normalize_company: %.1fx (net of the scan: %.1fx)\n",
	                     $1, 1e6 / ($1 / 1000), $2, $3, $2 / $1, ($2 - $3) / ($1 - $3) }'
q -c "SELECT 'names normalized alike by both: ' || round(100.0 * avg((channel.normalize_company(name) = bench_sql_normalize(name))::int), 1) || '%' FROM (SELECT name FROM names1m LIMIT 100000) s"

fi

if want accuracy && [ -f "$pairs" ]; then
	say "matching accuracy: $(($(wc -l < "$pairs_world") - 1)) world pairs (test/data/company_pairs_world.tsv, a fifth held out) and $(($(wc -l < "$pairs") - 1)) project pairs (test/data/company_pairs.tsv)"
	bash "$CHANNEL_SRC/test/bench/load_pairs.sh" bench
	qt -f "$CHANNEL_SRC/test/bench/accuracy.sql"
elif want accuracy; then
	say "no $pairs: accuracy skipped"
fi
