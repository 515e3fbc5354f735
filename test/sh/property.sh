#!/usr/bin/env bash
# test/sh/property.sh -- the SQL-level property test (issue 27): a seeded
# stream of calls of every public function of the extension and of direct
# writes to its tables, with hostile values (test/property/generate.pl),
# run against a small channel.  Errors are expected -- most values are
# refused -- but none may be an internal error (SQLSTATE class XX), none
# may crash or lose the connection, none may take over 3 seconds (or hit
# the 10-second statement_timeout), and afterwards every stored row keeps
# the documented invariants: amounts finite and >= 0, dates and stamps in
# 1900..2200, SLA and protection windows bounded, stamps in order, keys
# equal to the keys of the name, names with a letter or digit, the shipped
# rules and codes present, lead intake still scoring, the rollup equal to
# its definition.
#
#   PROPERTY_SEED (default 27) and PROPERTY_CALLS (default 4000) pick the run;
#   the same seed gives the same statements.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported).  Creates one database and drops it.
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"
src=$(cd "$(dirname "$0")/../.." && pwd)
seed=${PROPERTY_SEED:-27} calls=${PROPERTY_CALLS:-4000}
db=channel_property
work=$(mktemp -d)
q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -d $db "$@"; }
cleanup() {
	"$CHANNEL_PG_BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL (seed $seed, $calls calls): $*" >&2; exit 1; }

"$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -c "CREATE EXTENSION channel"

# a small channel: 30 partners (one a distributor), two lines, 60 leads of
# which some are routed and accepted, and a few registrations
q > /dev/null <<-'SQL'
	SET client_min_messages = warning;
	INSERT INTO channel.product_line (code, name, protection_days, requires_certification, min_cert_level)
	VALUES ('PX_A', 'Property line A', 60, false, 'associate'), ('PX_B', 'Property line B', 90, true, 'professional');
	INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, max_open_leads)
	SELECT i, 'Property Partner ' || i, CASE WHEN i = 1 THEN 'distributor' ELSE 'reseller' END,
	       (ARRAY['registered', 'silver', 'gold', 'platinum'])[1 + i % 4]::channel.partner_tier,
	       CASE WHEN i % 7 = 0 THEN 'inactive' ELSE 'active' END::channel.partner_status,
	       (ARRAY['FR', 'DE', 'US'])[1 + i % 3], 5
	FROM generate_series(1, 30) i;
	SELECT setval('channel.partner_partner_id_seq', 100);
	INSERT INTO channel.partner_territory (partner_id, country) SELECT i, (ARRAY['FR', 'DE', 'US'])[1 + i % 3] FROM generate_series(1, 30) i;
	INSERT INTO channel.partner_territory (partner_id, region) SELECT i, 'EMEA' FROM generate_series(1, 30, 5) i;
	INSERT INTO channel.partner_product (partner_id, product_line) SELECT i, 'PX_A' FROM generate_series(1, 30) i;
	INSERT INTO channel.partner_product (partner_id, product_line) SELECT i, 'PX_B' FROM generate_series(1, 30, 2) i;
	INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
	SELECT i, 'PX_B', 'expert', current_date - 100, current_date + 300 FROM generate_series(1, 30, 4) i;
	INSERT INTO channel.lead (lead_id, company, country, product_line, budget, timeline_days, authority, need, source)
	SELECT i, 'Property Lead ' || i, (ARRAY['FR', 'DE', 'US'])[1 + i % 3], CASE WHEN i % 5 = 0 THEN 'PX_B' ELSE 'PX_A' END,
	       1000 * i, 10 * i, 'decision_maker', 'high', 'referral'
	FROM generate_series(1, 60) i;
	SELECT setval('channel.lead_lead_id_seq', 100);
	SELECT count(*) FROM channel.route_leads(40);
	SELECT channel.accept_lead(l.lead_id) FROM channel.lead l WHERE l.status = 'routed' AND l.lead_id % 2 = 0;
	SELECT channel.convert_lead(l.lead_id) FROM channel.lead l WHERE l.status = 'accepted' AND l.lead_id % 4 = 0;
	SELECT channel.register_deal((ARRAY[2, 3, 4, 5, 6, 8, 9, 10, 11, 12])[1 + i % 10], 'Property Customer ' || (i % 12),
	                             'FR', 'PX_A', 100 * i, current_date + i)
	FROM generate_series(1, 30) i;
	SELECT channel.approve_deal(d.deal_id) FROM channel.deal d WHERE d.status = 'submitted' AND d.deal_id % 3 = 0;
	CALL channel.refresh_rollups();
SQL

perl "$src/test/property/generate.pl" "$seed" "$calls" > "$work/calls.sql"
started=$(date +%s)
set +e
"$CHANNEL_PG_BIN/psql" -X -d $db -o /dev/null -f "$work/calls.sql" > "$work/out" 2> "$work/err"
rc=$?
set -e
elapsed=$(( $(date +%s) - started ))

# psql exits 2 when the connection is lost (a crash), 3 never (no ON_ERROR_STOP)
[ "$rc" -le 1 ] || fail "psql exited $rc (connection lost?): $(tail -5 "$work/err")"
if grep -qE 'server closed the connection|terminating connection|connection to server was lost' "$work/err"; then
	fail "the server lost the connection: $(grep -m3 -E 'server closed|terminating|lost' "$work/err")"
fi
if grep -qE 'ERROR:  XX[0-9A-Z]{3}:' "$work/err"; then
	grep -m5 -B1 -E 'ERROR:  XX[0-9A-Z]{3}:' "$work/err" >&2
	line=$(grep -m1 -E 'ERROR:  XX[0-9A-Z]{3}:' "$work/err" | sed -n 's/^psql:[^:]*:\([0-9]*\):.*/\1/p')
	[ -n "$line" ] && sed -n "${line}p" "$work/calls.sql" | cut -c1-400 >&2
	fail "internal error (SQLSTATE XX...)"
fi
if grep -qE 'ERROR:  57014:' "$work/err"; then
	fail "a statement ran into statement_timeout: $(grep -m1 -B1 'ERROR:  57014:' "$work/err")"
fi
# the slowest statement, by psql's own timing (milliseconds)
slow=$(awk '/^@[0-9]+$/ { n = substr($1, 2) } /^Time: / { t = $2 + 0; if (t > max) { max = t; at = n } }
            END { printf "%d %d\n", max, at }' "$work/out")
slow_ms=${slow% *} slow_at=${slow#* }
if [ "$slow_ms" -gt 3000 ]; then
	grep -A1 -x "\\\\echo @$slow_at" "$work/calls.sql" | tail -1 | cut -c1-400 >&2
	fail "statement $slow_at took $slow_ms ms"
fi
done_calls=$(grep -c '^@' "$work/out")
[ "$done_calls" = "$calls" ] || fail "only $done_calls of $calls statements ran"
errors=$(grep -c 'ERROR:  ' "$work/err" || true)

# the invariants, over every stored row (each query lists offenders)
q > "$work/bad" <<-'SQL'
	SET client_min_messages = warning;
	SELECT 'deal amount', deal_id FROM channel.deal WHERE NOT (amount >= 0 AND amount <> 'NaN' AND amount < 1e14);
	SELECT 'lead budget', lead_id FROM channel.lead WHERE NOT (budget >= 0 AND budget <> 'NaN');
	SELECT 'deal dates', deal_id FROM channel.deal
	WHERE NOT (expected_close BETWEEN '1900-01-01' AND '2200-12-31'
	           AND submitted_at BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00')
	   OR decided_at < '1900-01-01 00:00:00+00' OR decided_at >= '2201-01-01 00:00:00+00'
	   OR closed_at < '1900-01-01 00:00:00+00' OR closed_at >= '2201-01-01 00:00:00+00';
	SELECT 'deal window', deal_id FROM channel.deal
	WHERE protected_until > submitted_at + (731 + 366 * extension_count) * interval '1 day'
	   OR extension_count NOT BETWEEN 0 AND 20 OR protected_until <= submitted_at;
	SELECT 'deal stamp order', deal_id FROM channel.deal WHERE decided_at < submitted_at OR closed_at < submitted_at;
	SELECT 'lead window', lead_id FROM channel.lead
	WHERE accept_by > routed_at + interval '720 hours' OR accept_by < routed_at OR accepted_at < routed_at;
	SELECT 'lead dates', lead_id FROM channel.lead
	WHERE created_at NOT BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00'
	   OR routed_at NOT BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00'
	   OR closed_at NOT BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00'
	   OR timeline_days NOT BETWEEN 0 AND 3660;
	SELECT 'certification window', certification_id FROM channel.certification
	WHERE expires_on > earned_on + 3660 OR earned_on < '1900-01-01' OR expires_on > '2200-12-31';
	SELECT 'partner dates', partner_id FROM channel.partner
	WHERE created_at NOT BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00'
	   OR status_changed_at NOT BETWEEN '1900-01-01 00:00:00+00' AND '2201-01-01 00:00:00+00';
	SELECT 'deal keys', deal_id FROM channel.deal
	WHERE customer_key IS DISTINCT FROM channel.normalize_company(customer_name)
	   OR customer_match_keys IS DISTINCT FROM
	      (SELECT coalesce(array_agg(customer_country || '|' || product_line || '|' || k ORDER BY o), '{}')
	       FROM unnest(channel.company_match_keys(customer_name)) WITH ORDINALITY AS u(k, o));
	SELECT 'blank name', 'partner ' || partner_id FROM channel.partner WHERE NOT channel.has_letter_or_digit(name)
	UNION ALL SELECT 'blank name', 'lead ' || lead_id FROM channel.lead WHERE NOT channel.has_letter_or_digit(company)
	UNION ALL SELECT 'blank name', 'deal ' || deal_id FROM channel.deal WHERE NOT channel.has_letter_or_digit(customer_name)
	UNION ALL SELECT 'blank name', 'contact ' || contact_id FROM channel.partner_contact WHERE NOT channel.has_letter_or_digit(full_name)
	UNION ALL SELECT 'blank name', 'reason ' || code FROM channel.reject_reason WHERE NOT channel.has_letter_or_digit(description)
	UNION ALL SELECT 'blank name', 'line ' || code FROM channel.product_line WHERE NOT channel.has_letter_or_digit(name);
	SELECT 'shipped rules', count(*) FROM channel.scoring_rule WHERE rule_id < 0 HAVING count(*) <> 10;
	SELECT 'shipped reasons', count(*) FROM channel.reject_reason WHERE shipped HAVING count(*) <> 5;
	SELECT 'in list', rule_id FROM channel.scoring_rule
	WHERE operator = 'in' AND array_length(string_to_array(value, ','), 1) > 64;
	SELECT 'lead status vs holder', lead_id FROM channel.lead
	WHERE (status IN ('routed', 'accepted', 'converted') AND partner_id IS NULL)
	   OR (status IN ('new', 'pooled') AND partner_id IS NOT NULL);
SQL
[ -s "$work/bad" ] && fail "stored rows break the invariants:
$(sort -t"|" -k1,1 -u "$work/bad" | head -20)"

# intake still works and scores, and the rollup equals its definition
score=$(q -c "INSERT INTO channel.lead (company, country, product_line, authority) VALUES ('After The Storm', 'FR', 'PX_A', 'decision_maker') RETURNING score IS NOT NULL")
[ "$score" = t ] || fail "a new lead was not scored"
q -c "SET client_min_messages = warning" -c "CALL channel.refresh_rollups()"
diff_rows=$(q -c "SELECT count(*) FROM ((TABLE channel.partner_month EXCEPT TABLE channel.partner_month_computed)
                   UNION ALL (TABLE channel.partner_month_computed EXCEPT TABLE channel.partner_month)) x")
[ "$diff_rows" = 0 ] || fail "partner_month differs from partner_month_computed in $diff_rows rows after refresh"

echo "ok: seed $seed, $calls statements in ${elapsed}s ($errors refused, no internal error, slowest $slow_ms ms), invariants hold"
