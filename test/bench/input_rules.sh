#!/usr/bin/env bash
# test/bench/input_rules.sh -- what the input rules of 0.2.0 (issue 27) cost
# on the write paths they guard.
#
#   bash test/bench/input_rules.sh             # 100,000 rows per measurement
#   BENCH_ROWS=20000 bash test/bench/input_rules.sh
#
# Builds, starts a throwaway cluster (test/lib.sh), then in one database
# times, three rounds alternating the 0.2.0 and the 0.1.0 rules (best
# reported, each run after a VACUUM):
#   * INSERT of BENCH_ROWS leads, Latin names then Japanese names (no ASCII
#     letter or digit, so the letter-or-digit rule runs ICU), with the
#     shipped CHECK lead_company_not_blank (channel.has_letter_or_digit) and
#     with the 0.1.0 one a user would write (btrim(company) <> '');
#   * UPDATE of the amount of BENCH_ROWS deals with and without the
#     deal_keys_guard trigger that keeps the derived keys derived.
source "$(dirname "$0")/../lib.sh"

rows=${BENCH_ROWS:-100000}

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster

q() { psql -X -q -v ON_ERROR_STOP=1 -At -d channel_bench "$@"; }
# wall time in ms of a statement, in a rolled-back transaction, after a VACUUM
# (the rolled-back rows of the run before do not weigh on this one)
time_ms() {
	q -c "VACUUM channel.lead, channel.deal"
	psql -X -q -v ON_ERROR_STOP=1 -d channel_bench -c '\timing on' -c 'BEGIN' -c "$1" -c 'ROLLBACK' \
	  | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
rules_new() {
	q -c "ALTER TABLE channel.lead DROP CONSTRAINT lead_company_not_blank,
	        ADD CONSTRAINT lead_company_not_blank CHECK (length(company) <= 300 AND channel.has_letter_or_digit(company))" \
	  -c "ALTER TABLE channel.deal ENABLE TRIGGER deal_keys_guard"
}
rules_old() {
	q -c "ALTER TABLE channel.lead DROP CONSTRAINT lead_company_not_blank,
	        ADD CONSTRAINT lead_company_not_blank CHECK (btrim(company) <> '' AND length(company) <= 300)" \
	  -c "ALTER TABLE channel.deal DISABLE TRIGGER deal_keys_guard"
}

psql -X -q -d postgres -c "CREATE DATABASE channel_bench"
q -c "CREATE EXTENSION channel" >/dev/null
q >/dev/null <<-SQL
	INSERT INTO channel.product_line (code, name) VALUES ('BENCH', 'Bench line');
	INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Bench Partner', 'active', 'FR');
	INSERT INTO channel.partner_product (partner_id, product_line) VALUES (1, 'BENCH');
	-- a whole registration per row is not what is measured here: the deals are
	-- inserted once, with their keys, for the UPDATE measurement
	INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
	SELECT 1, md5(i::text), 'FR', 'BENCH', i, current_date + 30 FROM generate_series(1, $rows) i;
	VACUUM ANALYZE channel.deal;
SQL

latin="INSERT INTO channel.lead (company, country, product_line, score)
       SELECT 'Société Générale ' || i, 'FR', 'BENCH', 50 FROM generate_series(1, $rows) i"
japanese="INSERT INTO channel.lead (company, country, product_line, score)
       SELECT '株式会社' || (ARRAY['トヨタ', 'ソニー', '日立', '東芝'])[1 + i % 4] || '商事', 'JP', 'BENCH', 50
       FROM generate_series(1, $rows) i"
update="UPDATE channel.deal SET amount = amount + 1"

# the two configurations alternate, three rounds; the best of each is kept
new_latin="" new_japanese="" new_update="" old_latin="" old_japanese="" old_update=""
for _ in 1 2 3; do
	rules_new
	new_latin=$(min "$new_latin" "$(time_ms "$latin")")
	new_japanese=$(min "$new_japanese" "$(time_ms "$japanese")")
	new_update=$(min "$new_update" "$(time_ms "$update")")
	rules_old
	old_latin=$(min "$old_latin" "$(time_ms "$latin")")
	old_japanese=$(min "$old_japanese" "$(time_ms "$japanese")")
	old_update=$(min "$old_update" "$(time_ms "$update")")
done
rules_new

per_row() { awk -v a="$1" -v b="$2" -v n="$rows" 'BEGIN { printf "%+.2f", (a - b) * 1000 / n }'; }
ms() { printf "%.0f" "$1"; }
echo "rows per statement: $rows (best of 3, ms)"
printf '%-38s %10s %10s %14s\n' "statement" "0.2.0" "0.1.0 rule" "us/row added"
printf '%-38s %10s %10s %14s\n' "INSERT leads, Latin names" "$(ms "$new_latin")" "$(ms "$old_latin")" "$(per_row "$new_latin" "$old_latin")"
printf '%-38s %10s %10s %14s\n' "INSERT leads, Japanese names (ICU)" "$(ms "$new_japanese")" "$(ms "$old_japanese")" "$(per_row "$new_japanese" "$old_japanese")"
printf '%-38s %10s %10s %14s\n' "UPDATE deal amounts (deal_keys_guard)" "$(ms "$new_update")" "$(ms "$old_update")" "$(per_row "$new_update" "$old_update")"

# the rule alone, per name (CPU only, no table): best of 3
rule_ms() {
	local best="" t
	for _ in 1 2 3; do
		t=$(psql -X -q -d channel_bench -c '\timing on' -c "SELECT count(*) FILTER (WHERE $1) FROM ($2) s" \
		    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
		best=$(min "$best" "$t")
	done
	awk -v t="$best" -v n="$rows" 'BEGIN { printf "%.2f", t * 1000 / n }'
}
latin_names="SELECT 'Société Générale ' || i AS n FROM generate_series(1, $rows) i"
japanese_names="SELECT '株式会社' || (ARRAY['トヨタ', 'ソニー', '日立', '東芝'])[1 + i % 4] || '商事' AS n FROM generate_series(1, $rows) i"
echo "the rule alone, microseconds per name (best of 3):"
printf '%-38s %10s %10s\n' "names" "letter/digit" "btrim <> ''"
printf '%-38s %10s %10s\n' "Latin" "$(rule_ms "channel.has_letter_or_digit(n)" "$latin_names")" "$(rule_ms "btrim(n) <> ''" "$latin_names")"
printf '%-38s %10s %10s\n' "Japanese (ICU)" "$(rule_ms "channel.has_letter_or_digit(n)" "$japanese_names")" "$(rule_ms "btrim(n) <> ''" "$japanese_names")"
