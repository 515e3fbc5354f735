-- 66_quotes: quotes on registrations and special pricing end to end --
-- lines priced from the schedule, totals copied to the registration,
-- submission within the schedule (approved at once) and above it (a
-- request at the level the excess needs), escalation when a level does not
-- answer, approval and rejection by the right roles only, never one's own,
-- margin floors refusing outright, revisions keeping their history,
-- expiry, loss, the append-only audit, partners' isolation, and every
-- total recomputed from the lines.  Dates are relative to one today; no
-- absolute date or time is printed.  Runs in a transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on

BEGIN;
ALTER TABLE channel.quote ALTER COLUMN quote_id RESTART WITH 1;
ALTER TABLE channel.pricing_request ALTER COLUMN request_id RESTART WITH 1;
SELECT current_date AS today \gset
CREATE FUNCTION pg_temp.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  -- dates in messages are masked: expected output never shows an absolute date
  RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}', '<date>', 'g');
END
$$;

CREATE ROLE regress_dd_a LOGIN;
CREATE ROLE regress_dd_b LOGIN;
CREATE ROLE regress_dd_level1;
CREATE ROLE regress_dd_level2;
CREATE ROLE regress_dd_level3;
CREATE ROLE regress_dd_mgr LOGIN IN ROLE channel_admin, regress_dd_level1;
CREATE ROLE regress_dd_director LOGIN IN ROLE channel_admin, regress_dd_level2;
CREATE ROLE regress_dd_vp LOGIN IN ROLE channel_admin, regress_dd_level3;
CREATE ROLE regress_dd_analyst LOGIN IN ROLE channel_analyst;
GRANT channel_partner TO regress_dd_a, regress_dd_b;

INSERT INTO channel.product_line (code, name) VALUES ('DD_STORAGE', 'Storage');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (6601, 'Alpha Storage GmbH', 'gold', 'active', 'DE'),
  (6602, 'Beta Systems SAS', 'silver', 'active', 'FR');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_dd_a', 6601), ('regress_dd_b', 6602);
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from, active_until) VALUES
  (6611, 'DD-ARRAY', 'DD_STORAGE', 'Array', 1000, 'EUR', :'today'::date - 100, NULL),
  (6612, 'DD-DISK', 'DD_STORAGE', 'Disk', 99.99, 'EUR', :'today'::date - 100, NULL),
  (6613, 'DD-OLD', 'DD_STORAGE', 'End of life', 10, 'EUR', :'today'::date - 100, :'today'::date - 1);
INSERT INTO channel.price_list (price_list_id, name, currency, valid_from) VALUES (6621, 'EUR', 'EUR', :'today'::date - 100);
-- the array costs 500 with a 10 % floor: never below 550 (45 % off list)
INSERT INTO channel.price_list_item (price_list_id, product_id, unit_price, unit_cost, floor_pct) VALUES
  (6621, 6611, 1000, 500, 10), (6621, 6612, 99.99, 20, 0), (6621, 6613, 10, 1, 0);
INSERT INTO channel.discount_schedule (tier, product_line, discount_pct, valid_from) VALUES
  ('gold', 'DD_STORAGE', 20, :'today'::date - 100), ('silver', NULL, 10, :'today'::date - 100);
INSERT INTO channel.approval_level (level, name, max_extra_points, approver_role, response_time) VALUES
  (1, 'channel manager', 5, 'regress_dd_level1', '1 day'),
  (2, 'regional director', 15, 'regress_dd_level2', '2 days'),
  (3, 'VP sales', NULL, 'regress_dd_level3', '3 days');
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency, expected_close) VALUES
  (6631, 6601, 'Acme Industrie', 'DE', 'DD_STORAGE', 0, 'EUR', :'today'::date + 60),
  (6632, 6601, 'Zenith Logistik', 'DE', 'DD_STORAGE', 0, 'EUR', :'today'::date + 60),
  (6633, 6602, 'Orion Banque', 'FR', 'DD_STORAGE', 0, 'EUR', :'today'::date + 60),
  (6634, 6601, 'Closed Corp', 'DE', 'DD_STORAGE', 0, 'EUR', :'today'::date + 60);
UPDATE channel.deal SET status = 'lost', closed_at = now() WHERE deal_id = 6634;

-- ------------------------------------------------------------ a quote within the schedule
SET SESSION AUTHORIZATION regress_dd_a;
SELECT channel.create_quote(6631, 'EUR', (:'today'::date + 30)) AS quote_1;
SELECT channel.add_quote_line(1, 'DD-ARRAY', 2);
SELECT channel.add_quote_line(1, 'dd-disk', 3, 15);
SELECT line_no, sku, quantity, list_price, schedule_discount, requested_discount, net_price, line_total
FROM channel.quote_line WHERE quote_id = 1 ORDER BY line_no;
SELECT quote_id, revision, status, currency, total, valid_until - quoted_on AS valid_days FROM channel.quote;
SELECT amount, currency FROM channel.deal WHERE deal_id = 6631;
-- bad lines: nothing is written
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', 0)') AS quantity_zero;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', -3)') AS quantity_negative;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', 1, 100.5)') AS discount_above_100;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', 1, -1)') AS discount_negative;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', 1, ''NaN'')') AS discount_nan;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-ARRAY'', 1, 12.345)') AS discount_three_decimals;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-OLD'', 1)') AS sku_not_orderable;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-NOPE'', 1)') AS sku_unknown;
SELECT pg_temp.err('SELECT channel.create_quote(6631, ''USD'', current_date + 30)') AS currency_without_list;
SELECT pg_temp.err('SELECT channel.create_quote(6631, ''EUR'', current_date - 1)') AS expires_before_priced;
SELECT pg_temp.err('SELECT channel.create_quote(6634, ''EUR'', current_date + 30)') AS closed_registration;
SELECT pg_temp.err('SELECT channel.create_quote(6633, ''EUR'', current_date + 30)') AS others_registration;
SELECT count(*) AS lines FROM channel.quote_line;
SELECT channel.remove_quote_line(1, 2);
SELECT channel.add_quote_line(1, 'DD-DISK', 3);
SELECT total FROM channel.quote WHERE quote_id = 1;
SELECT channel.submit_quote(1);
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-DISK'', 1)') AS change_after_submit;
SELECT status, submitted_at IS NOT NULL AS submitted, decided_at IS NOT NULL AS decided FROM channel.quote WHERE quote_id = 1;
SELECT count(*) AS requests FROM channel.pricing_request;
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ special pricing and escalation
SET SESSION AUTHORIZATION regress_dd_a;
-- 28 % asked on the array: 8 points above the 20 % of the schedule -> level 2 (up to +15)
SELECT channel.create_quote(6632, 'EUR', (:'today'::date + 30)) AS quote_2;
SELECT channel.add_quote_line(2, 'DD-ARRAY', 10, 28);
SELECT channel.add_quote_line(2, 'DD-DISK', 10, 22);
SELECT channel.submit_quote(2);
SELECT request_id, quote_id, revision, extra_points, required_level, current_level, status, requested_by,
       due_at = requested_at + interval '2 days' AS due_in_two_days
FROM channel.pricing_request;
-- the partner cannot decide
SELECT pg_temp.err('SELECT channel.approve_pricing_request(1)') AS partner_approves;
RESET SESSION AUTHORIZATION;
-- the channel manager is level 1: below the request's level
SET SESSION AUTHORIZATION regress_dd_mgr;
SELECT pg_temp.err('SELECT channel.approve_pricing_request(1)') AS level_1_approves;
RESET SESSION AUTHORIZATION;
-- not due after a day; after 49 hours it goes to level 3 and the VP is notified
SELECT channel.escalate_pricing_requests(now() + interval '1 day') AS escalated_after_a_day;
SELECT channel.escalate_pricing_requests(now() + interval '49 hours') AS escalated_after_49_hours;
SELECT request_id, current_level, escalations, due_at = now() + interval '49 hours' + interval '3 days' AS due_three_days_later
FROM channel.pricing_request;
SELECT event_type, entity, entity_id, partner_id, payload->'recipient' AS recipient, payload->>'message' AS message
FROM channel.change_event WHERE event_type = 'notification.pricing_escalated';
-- at the top level nothing is above: it stays
SELECT channel.escalate_pricing_requests(now() + interval '30 days') AS escalated_at_top;
SET SESSION AUTHORIZATION regress_dd_director;
SELECT pg_temp.err('SELECT channel.approve_pricing_request(1)') AS level_2_after_escalation;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_vp;
SELECT channel.approve_pricing_request(1, 'competitive deal');
SELECT pg_temp.err('SELECT channel.approve_pricing_request(1)') AS approved_twice;
SELECT pg_temp.err('SELECT channel.reject_pricing_request(1, ''late'')') AS rejected_after_approval;
RESET SESSION AUTHORIZATION;
SELECT q.status, r.status AS request, r.decided_by, r.decision_note FROM channel.quote q JOIN channel.pricing_request r USING (quote_id);
SELECT request_id, actor, action, level, note FROM channel.pricing_decision ORDER BY decision_id;

-- ------------------------------------------------------------ margin floors refuse outright
SET SESSION AUTHORIZATION regress_dd_a;
SELECT channel.create_quote(6632, 'EUR', (:'today'::date + 30)) AS quote_3;
SELECT channel.add_quote_line(3, 'DD-DISK', 1);
SELECT channel.add_quote_line(3, 'DD-ARRAY', 1, 46);
-- the partner is told which line, not the floor
SELECT channel.submit_quote(3);
RESET SESSION AUTHORIZATION;
-- the vendor is told the floor
SET SESSION AUTHORIZATION regress_dd_mgr;
SELECT channel.submit_quote(3);
RESET SESSION AUTHORIZATION;
SELECT status, (SELECT count(*) FROM channel.pricing_request WHERE quote_id = 3) AS requests FROM channel.quote WHERE quote_id = 3;
-- 45 % is exactly the floor: allowed (25 points above schedule: level 3)
SET SESSION AUTHORIZATION regress_dd_a;
SELECT channel.remove_quote_line(3, 2);
SELECT channel.add_quote_line(3, 'DD-ARRAY', 1, 45);
SELECT channel.submit_quote(3);
SELECT request_id, extra_points, required_level FROM channel.pricing_request WHERE quote_id = 3;
RESET SESSION AUTHORIZATION;
-- a lower floor price later on: the approval checks the floor again
UPDATE channel.price_list_item SET unit_cost = 510 WHERE product_id = 6611;
SET SESSION AUTHORIZATION regress_dd_vp;
SELECT pg_temp.err('SELECT channel.approve_pricing_request(2)') AS approve_below_new_floor;
RESET SESSION AUTHORIZATION;
UPDATE channel.price_list_item SET unit_cost = 500 WHERE product_id = 6611;

-- ------------------------------------------------------------ rejection, self-approval
SET SESSION AUTHORIZATION regress_dd_director;
SELECT pg_temp.err('SELECT channel.reject_pricing_request(2, ''below target margin'')') AS level_2_rejects_level_3;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_vp;
SELECT channel.reject_pricing_request(2, 'below target margin');
SELECT pg_temp.err('SELECT channel.reject_pricing_request(2, '''')') AS reject_without_reason;
RESET SESSION AUTHORIZATION;
SELECT quote_id, status, status_reason FROM channel.quote WHERE quote_id = 3;
-- a manager quoting for a partner may not approve its own request
SET SESSION AUTHORIZATION regress_dd_mgr;
SELECT channel.create_quote(6631, 'EUR', (:'today'::date + 30)) AS quote_4;
SELECT channel.add_quote_line(4, 'DD-ARRAY', 1, 23);
SELECT channel.submit_quote(4);
SELECT pg_temp.err('SELECT channel.approve_pricing_request(3)') AS self_approval;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_director;
SELECT channel.approve_pricing_request(3);
RESET SESSION AUTHORIZATION;
SELECT request_id, required_level, status, requested_by, decided_by FROM channel.pricing_request ORDER BY request_id;

-- ------------------------------------------------------------ revisions
SET SESSION AUTHORIZATION regress_dd_a;
-- quote 2 is approved; revise it with a longer validity: a draft again, at revision 2
SELECT channel.revise_quote(2, (:'today'::date + 45));
SELECT quote_id, revision, status, total, valid_until - quoted_on AS valid_days, status_reason FROM channel.quote WHERE quote_id = 2;
SELECT revision, count(*) AS lines, sum(line_total) AS total FROM channel.quote_line WHERE quote_id = 2 GROUP BY revision ORDER BY revision;
-- revising a submitted quote withdraws its pending request
SELECT channel.add_quote_line(2, 'DD-DISK', 5, 30);
SELECT channel.submit_quote(2);
SELECT channel.revise_quote(2);
SELECT request_id, revision, status FROM channel.pricing_request WHERE quote_id = 2 ORDER BY request_id;
SELECT revision, from_status, to_status, total, valid_until - :'today'::date AS valid_days, reason
FROM channel.quote_event WHERE quote_id = 2 ORDER BY event_id;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_vp;
SELECT pg_temp.err('SELECT channel.approve_pricing_request(4)') AS approve_withdrawn;
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ acceptance, loss, expiry
SET SESSION AUTHORIZATION regress_dd_a;
SELECT pg_temp.err(format('SELECT channel.accept_quote(1, %L)', :'today'::date + 31)) AS accept_too_late;
SELECT channel.accept_quote(1);
SELECT pg_temp.err('SELECT channel.revise_quote(1)') AS revise_accepted;
SELECT pg_temp.err('SELECT channel.lose_quote(2, NULL)') AS lose_without_reason;
SELECT channel.lose_quote(2, 'customer chose a competitor');
SELECT pg_temp.err('SELECT channel.expire_quotes()') AS partner_expires;
RESET SESSION AUTHORIZATION;
-- the registration's amount is its quotes' latest total (quote 4 was priced last on 6631, then 1 accepted)
SELECT d.deal_id, d.amount, d.currency, q.total AS quote_1_total FROM channel.deal d JOIN channel.quote q ON q.quote_id = 1 AND q.deal_id = d.deal_id;
SELECT channel.expire_quotes(:'today'::date + 31) AS expired;
SELECT quote_id, revision, status, status_reason IS NOT NULL AS has_reason FROM channel.quote ORDER BY quote_id;

-- ------------------------------------------------------------ isolation and privileges
SET SESSION AUTHORIZATION regress_dd_b;
SELECT count(*) AS quotes_b_sees FROM channel.quote;
SELECT count(*) AS lines_b_sees FROM channel.quote_line;
SELECT count(*) AS requests_b_sees FROM channel.pricing_request;
SELECT count(*) AS decisions_b_sees FROM channel.pricing_decision;
SELECT pg_temp.err('SELECT channel.add_quote_line(1, ''DD-DISK'', 1)') AS touch_others_quote;
SELECT pg_temp.err('SELECT channel.revise_quote(2)') AS revise_others_quote;
SELECT pg_temp.err('INSERT INTO channel.quote (deal_id, partner_id, currency, quoted_on, valid_until) VALUES (6633, 6602, ''EUR'', current_date, current_date)') AS insert_directly;
SELECT pg_temp.err('SELECT * FROM channel.approval_level') AS read_levels;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_a;
SELECT count(*) AS quotes_a_sees, count(DISTINCT partner_id) AS partners FROM channel.quote;
SELECT count(*) AS requests_a_sees FROM channel.pricing_request;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_analyst;
SELECT count(*) AS quotes_analyst_sees FROM channel.quote;
SELECT pg_temp.err('SELECT channel.submit_quote(1)') AS analyst_submits;
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ history is append-only, totals recompute
SELECT pg_temp.err('UPDATE channel.quote_event SET reason = ''x''') AS update_history;
SELECT pg_temp.err('DELETE FROM channel.pricing_decision') AS delete_audit;
SELECT count(*) AS quotes, count(*) FILTER (WHERE q.total = coalesce(l.total, 0)) AS totals_match
FROM channel.quote q
LEFT JOIN (SELECT quote_id, revision, sum(line_total) AS total FROM channel.quote_line GROUP BY 1, 2) l
  ON l.quote_id = q.quote_id AND l.revision = q.revision;
SELECT count(*) AS lines, count(*) FILTER (WHERE line_total = net_price * quantity
                                             AND net_price = round(list_price * (100 - coalesce(requested_discount, schedule_discount)) / 100, 2)) AS lines_match
FROM channel.quote_line;
-- every status change of every quote is in its history, the last one its status
SELECT count(*) AS quotes, count(*) FILTER (WHERE e.to_status = q.status AND e.revision = q.revision) AS last_event_matches
FROM channel.quote q
JOIN LATERAL (SELECT * FROM channel.quote_event x WHERE x.quote_id = q.quote_id ORDER BY x.event_id DESC LIMIT 1) e ON true;
-- ------------------------------------------------------------ BI
-- a second partner's approved quote at its schedule, and the registration of quote 1 won
SET SESSION AUTHORIZATION regress_dd_b;
SELECT channel.create_quote(6633, 'EUR', (:'today'::date + 30)) AS quote_5;
SELECT channel.add_quote_line(5, 'DD-ARRAY', 4);
SELECT channel.submit_quote(5);
RESET SESSION AUTHORIZATION;
UPDATE channel.deal SET status = 'won', closed_at = now() WHERE deal_id = 6631;
-- who discounts most: 6601 gave 3 points above schedule on the one line of quote 4 (quote 2 is lost at an unapproved revision)
SELECT partner_id, currency, quotes, lines, list_value, schedule_value, quoted_value, schedule_pct, given_pct,
       extra_points, lines_above_schedule, rank_in_currency
FROM channel.discount_vs_schedule();
SELECT count(*) AS rows_before_today FROM channel.discount_vs_schedule(NULL, :'today');
-- approval times: a synthetic request decided 30 hours after reaching level 2
-- (response time 2 days), on top of the requests above (decided at once)
INSERT INTO channel.pricing_request (request_id, quote_id, revision, partner_id, extra_points, required_level, current_level,
                                     status, requested_by, requested_at, due_at, decided_by, decided_at)
VALUES (6699, 4, 1, 6601, 10, 2, 2, 'approved', 'regress_dd_a', now() - interval '40 hours', now() - interval '16 hours',
        'regress_dd_director', now() - interval '10 hours');
INSERT INTO channel.pricing_decision (request_id, partner_id, at, actor, action, level) VALUES
  (6699, 6601, now() - interval '40 hours', 'regress_dd_a', 'requested', 2),
  (6699, 6601, now() - interval '10 hours', 'regress_dd_director', 'approved', 2);
SELECT level, level_name, reached, approved, rejected, escalated, withdrawn, pending, median_hours, p90_hours, max_hours,
       decided_in_time_pct
FROM channel.approval_times();
SELECT level, reached FROM channel.approval_times(now() - interval '1 hour') WHERE reached > 0;
SELECT partner_id, quotes, approved, accepted, lost, expired, open, deals_quoted, deals_won, deals_lost, acceptance_pct, quote_to_win_pct
FROM channel.quote_to_win();
-- a partner sees its own rows only
SET SESSION AUTHORIZATION regress_dd_b;
SELECT partner_id, quotes FROM channel.quote_to_win();
SELECT partner_id, extra_points FROM channel.discount_vs_schedule();
SELECT sum(reached) AS reached_b FROM channel.approval_times();
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_dd_analyst;
SELECT count(*) AS analyst_rows FROM channel.quote_to_win();
RESET SESSION AUTHORIZATION;
ROLLBACK;
