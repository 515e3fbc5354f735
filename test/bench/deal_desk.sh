#!/usr/bin/env bash
# test/bench/deal_desk.sh -- net prices of quote lines: channel.net_price()
# against the SQL join a user would write.
#
#   bash test/bench/deal_desk.sh                       # 1,000,000 lines, 3 runs each
#   BENCH_LINES=100000 BENCH_RUNS=1 bash test/bench/deal_desk.sh   # a quicker run
#   BENCH_DB=postgres bash test/bench/deal_desk.sh     # in a database of an already
#       # running cluster (PGHOST...) with the extension installed; the bench
#       # works in a database it creates from template0 and drops
#
# The channel: 2,000 partners over the four tiers, a third of them members
# of one of three programmes, 6 product lines of 40 SKUs, price lists in
# USD, EUR, GBP and JPY for two periods, and a discount schedule of 40
# rows (every tier, tier x line, programme, programme x line).  The lines:
# BENCH_LINES (partner, SKU, day, currency, quantity) rows over both
# periods.  Each run sums quantity x net price over every line:
#   * C: channel.net_price(partner, sku, day, currency) per line (the
#     schedule, price lists, catalogue and partners cached per backend);
#   * SQL: the join from the documented rules -- the product, the partner,
#     the price list in force (LATERAL ... ORDER BY valid_from DESC LIMIT 1),
#     its item, the membership on the day and the most specific schedule row
#     (LATERAL ... ORDER BY specificity LIMIT 1), rounded to the currency.
# Both sums must be equal; the script says so and prints the median and
# spread of each and the ratio.  The load average is printed with them.
source "$(dirname "$0")/../lib.sh"

lines=${BENCH_LINES:-1000000}
runs=${BENCH_RUNS:-3}

if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	BENCH_DB=postgres
fi
db=channel_bench_deal_desk
psql -X -q -d "$BENCH_DB" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE template0"
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d $db "$@"; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

say "building the channel and $lines quote lines"
q -c "CREATE EXTENSION channel CASCADE"
q <<SQL
INSERT INTO channel.product_line (code, name) SELECT 'BL' || i, 'Bench line ' || i FROM generate_series(1, 6) i;
INSERT INTO channel.partner (partner_id, name, tier, status, country)
SELECT i, 'Bench partner ' || i, (ARRAY['registered', 'silver', 'gold', 'platinum'])[1 + i % 4]::channel.partner_tier, 'active', 'DE'
FROM generate_series(1, 2000) i;
INSERT INTO channel.program (program_id, name, starts_on) SELECT i, 'Bench programme ' || i, current_date - 1000 FROM generate_series(1, 3) i;
INSERT INTO channel.program_member (partner_id, program_id, joined_on)
SELECT i, 1 + i % 3, current_date - 400 + i % 300 FROM generate_series(1, 2000) i WHERE i % 3 = 0;
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
SELECT l * 100 + k, 'BL' || l || '-SKU' || k, 'BL' || l, 'Bench product ' || l || '/' || k, 100 + 37 * k, 'USD', current_date - 1000
FROM generate_series(1, 6) l, generate_series(1, 40) k;
INSERT INTO channel.price_list (name, currency, valid_from, valid_until)
SELECT c || ' ' || v, c, current_date - CASE v WHEN 1 THEN 365 ELSE 180 END, CASE v WHEN 1 THEN current_date - 180 END
FROM unnest(ARRAY['USD', 'EUR', 'GBP', 'JPY']) c, generate_series(1, 2) v;
INSERT INTO channel.price_list_item (price_list_id, product_id, unit_price, unit_cost, floor_pct)
SELECT l.price_list_id, p.product_id,
       round(p.list_price * CASE l.currency WHEN 'EUR' THEN 0.92 WHEN 'GBP' THEN 0.79 WHEN 'JPY' THEN 151.3 ELSE 1 END
             * CASE WHEN l.valid_until IS NULL THEN 1.0375 ELSE 1 END, 4), p.list_price * 0.45, 10
FROM channel.price_list l CROSS JOIN channel.product p;
INSERT INTO channel.discount_schedule (tier, product_line, program_id, discount_pct, valid_from)
SELECT t, NULL::text, NULL::bigint, 5 + 7.25 * (array_position(enum_range(NULL::channel.partner_tier), t) - 1), current_date - 1000
FROM unnest(enum_range(NULL::channel.partner_tier)) t
UNION ALL
SELECT t, 'BL' || l, NULL, 8 + 6.5 * (array_position(enum_range(NULL::channel.partner_tier), t) - 1) + l, current_date - 1000
FROM unnest(enum_range(NULL::channel.partner_tier)) t, generate_series(1, 6) l
UNION ALL
SELECT NULL, NULL, p, 18 + p, current_date - 1000 FROM generate_series(1, 3) p
UNION ALL
SELECT NULL, 'BL' || l, p, 20 + p + l / 2.0, current_date - 1000 FROM generate_series(1, 3) p, generate_series(1, 3) l;
CREATE TABLE bench_line AS
SELECT i AS line_id, (1 + (i::bigint * 7919) % 2000)::bigint AS partner_id, 'BL' || (1 + i % 6) || '-SKU' || (1 + (i / 6) % 40) AS sku,
       current_date - (i * 31) % 360 AS on_date, (ARRAY['USD', 'EUR', 'GBP', 'JPY'])[1 + (i / 240) % 4] AS currency,
       1 + i % 17 AS quantity
FROM generate_series(1, $lines) i;
VACUUM ANALYZE;
SQL
q -c "SELECT 'partners ' || (SELECT count(*) FROM channel.partner) || ', members ' || (SELECT count(*) FROM channel.program_member)
       || ', SKUs ' || (SELECT count(*) FROM channel.product) || ', list prices ' || (SELECT count(*) FROM channel.price_list_item)
       || ', schedule rows ' || (SELECT count(*) FROM channel.discount_schedule) || ', lines ' || (SELECT count(*) FROM bench_line)"

c_sql="SELECT sum(quantity * channel.net_price(partner_id, sku, on_date, currency)) FROM bench_line"
join_sql="SELECT sum(x.quantity * round(i.unit_price * (100 - coalesce(s.discount_pct, 0)) / 100, cu.minor_units))
FROM bench_line x
JOIN channel.product pr ON pr.sku = x.sku
JOIN channel.partner pa ON pa.partner_id = x.partner_id
JOIN channel.currency cu ON cu.code = x.currency
JOIN LATERAL (SELECT l.price_list_id FROM channel.price_list l
              WHERE l.currency = x.currency AND l.valid_from <= x.on_date AND (l.valid_until IS NULL OR l.valid_until > x.on_date)
              ORDER BY l.valid_from DESC LIMIT 1) pl ON true
JOIN channel.price_list_item i ON i.price_list_id = pl.price_list_id AND i.product_id = pr.product_id
LEFT JOIN LATERAL (SELECT m.program_id FROM channel.program_member m
                   WHERE m.partner_id = x.partner_id AND m.joined_on <= x.on_date AND (m.left_on IS NULL OR m.left_on > x.on_date)
                   ORDER BY m.joined_on DESC LIMIT 1) pm ON true
LEFT JOIN LATERAL (SELECT d.discount_pct FROM channel.discount_schedule d
                   WHERE (d.tier IS NULL OR d.tier = pa.tier) AND (d.product_line IS NULL OR d.product_line = pr.product_line)
                     AND (d.program_id IS NULL OR d.program_id = pm.program_id)
                     AND d.valid_from <= x.on_date AND (d.valid_until IS NULL OR d.valid_until > x.on_date)
                   ORDER BY (d.program_id IS NOT NULL) DESC, (d.product_line IS NOT NULL) DESC, (d.tier IS NOT NULL) DESC,
                            d.valid_from DESC LIMIT 1) s ON true"

c_sum=$(q -c "$c_sql")
join_sum=$(q -c "$join_sql")
if [ "$c_sum" = "$join_sum" ]; then say "same total both ways: $c_sum"; else say "TOTALS DIFFER: C $c_sum, SQL $join_sum"; exit 1; fi

c_times=(); join_times=()
for r in $(seq 1 "$runs"); do
	# each run in a new backend: the C run includes loading the cache
	c_times+=("$(ms q -c "$c_sql")")
	join_times+=("$(ms q -c "$join_sql")")
	say "run $r: net_price ${c_times[-1]} ms, SQL join ${join_times[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
minmax() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
cm=$(median "${c_times[@]}"); jm=$(median "${join_times[@]}")
say "$lines lines, $runs runs: net_price median $cm ms (range $(minmax "${c_times[@]}")), SQL join median $jm ms (range $(minmax "${join_times[@]}")), ratio $(awk -v a="$jm" -v b="$cm" 'BEGIN { printf "%.1f", a / b }')x"
say "load average: $(uptime | sed 's/.*load average: //')"
[ -n "${BENCH_KEEP:-}" ] || psql -X -q -d "$BENCH_DB" -c "DROP DATABASE $db"
