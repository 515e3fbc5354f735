-- 30_rollups: channel.partner_month by hand on a small channel, kept right
-- incrementally through inserts, transitions, updates, deletes and
-- TRUNCATE; the incremental result always equals the full recomputation.
-- Runs in a transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never

BEGIN;
-- months are UTC months whatever the session's time zone
SET LOCAL TimeZone = 'Asia/Tokyo';
-- start from an empty rollup and queue (earlier tests leave the marks of the
-- rows they removed)
SELECT channel.rebuild_rollups() AS rows_before;

INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers');
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (1, 'Ibérica Sistemas S.L.', 'active', 'ES'), (2, 'Andina Redes S.A.S.', 'active', 'CO');

-- leads loaded in their current state (no live history)
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by,
                          accepted_at, closed_at, reject_reason) VALUES
  -- partner 1: accepted after 4 h in March, converted in April
  (1, 'Grupo Bimbo', 'MX', 'SERVERS', 'converted', 1, '2026-03-10 10:00+00', '2026-03-12 10:00+00',
      '2026-03-10 14:00+00', '2026-04-02 09:00+00', NULL),
  -- partner 1: accepted after 24 h in March, still open
  (2, 'Ecopetrol S.A.', 'CO', 'SERVERS', 'accepted', 1, '2026-03-20 00:00+00', '2026-03-22 00:00+00',
      '2026-03-21 00:00+00', NULL, NULL),
  -- partner 1: rejected, routed on the last evening of March (UTC; already April in Tokyo)
  (3, 'Telefónica S.A.', 'ES', 'SERVERS', 'rejected', 1, '2026-03-31 23:30+00', '2026-04-02 23:30+00',
      NULL, NULL, 'out_of_territory'),
  -- partner 2: recalled in April
  (4, 'Enel S.p.A.', 'IT', 'SERVERS', 'recalled', 2, '2026-04-01 00:30+00', '2026-04-03 00:30+00',
      NULL, NULL, NULL),
  -- partner 2: accepted after 10 h in April, lost in May
  (5, 'Nokia Oyj', 'FI', 'SERVERS', 'lost', 2, '2026-04-05 08:00+00', '2026-04-07 08:00+00',
      '2026-04-05 18:00+00', '2026-05-01 12:00+00', NULL),
  -- nobody's yet
  (6, 'Siemens AG', 'DE', 'SERVERS', 'new', NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, decided_at, protected_until, closed_at, status_reason) VALUES
  -- partner 1: registered and approved in March, won in April after 41 days
  (1, 1, 'Grupo Bimbo', 'MX', 'SERVERS', 10000, '2026-04-30', 'won', '2026-03-05 10:00+00', '2026-03-06 10:00+00',
      '2026-06-03 10:00+00', '2026-04-15 10:00+00', NULL),
  -- partner 1: registered in April, in conflict, expected to close in June
  (2, 1, 'Telefonica', 'ES', 'SERVERS', 5000, '2026-06-30', 'conflict', '2026-04-01 10:00+00', NULL,
      '2026-06-30 10:00+00', NULL, 'overlaps an existing registration'),
  -- partner 2: registered and approved in April, expected to close in June
  (3, 2, 'Enel', 'IT', 'SERVERS', 20000, '2026-06-15', 'approved', '2026-04-10 10:00+00', '2026-04-11 10:00+00',
      '2026-07-10 10:00+00', NULL, NULL),
  -- the direct sales force: in no partner's rollup
  (4, NULL, 'Siemens', 'DE', 'SERVERS', 70000, '2026-05-31', 'won', '2026-04-01 10:00+00', '2026-04-02 10:00+00',
      '2026-07-01 10:00+00', '2026-05-02 10:00+00', NULL);

-- the statements queued the partner-months they touched
SELECT partner_id, month, count(*) AS marks
FROM channel.partner_month_dirty GROUP BY partner_id, month ORDER BY partner_id, month;

CALL channel.refresh_rollups();
SELECT count(*) AS queued_after_refresh FROM channel.partner_month_dirty;

-- the figures, by hand:
--  p1 2026-03: routed L1 L2 L3; accepted L1 (4 h) and L2 (24 h): median 14 h,
--              p90 4 + 0.9 * 20 = 22 h; L3 rejected (dated by its routing);
--              D1 registered and approved
--  p1 2026-04: L1 converted; D2 registered, in conflict; D1 won 10000 after 41 days
--  p1 2026-06: D2 open 5000 expected to close
--  p2 2026-04: routed L4 L5, L4 recalled, L5 accepted after 10 h; D3 registered and approved
--  p2 2026-05: L5 lost
--  p2 2026-06: D3 open 20000
CREATE TEMP VIEW rollup AS
SELECT partner_id AS p, month, leads_routed AS rt, leads_accepted AS acc, leads_rejected AS rej,
       leads_recalled AS rec, leads_converted AS conv, leads_lost AS lost,
       accept_hours_median AS h_med, accept_hours_p90 AS h_p90, accept_hours_sum AS h_sum, accept_hours_n AS h_n,
       deals_registered AS reg, deals_approved AS appr, deals_conflict AS confl, deals_won AS won,
       deals_lost AS dlost, won_revenue AS revenue, close_days_median AS close_d, open_pipeline AS open
FROM channel.partner_month;
SELECT * FROM rollup ORDER BY p, month;

-- the rollup equals the recomputation from the base tables
CREATE TEMP VIEW rollup_differences AS
SELECT (SELECT count(*)
        FROM ((TABLE channel.partner_month EXCEPT ALL TABLE channel.partner_month_computed)
              UNION ALL
              (TABLE channel.partner_month_computed EXCEPT ALL TABLE channel.partner_month)) d)
       -- and each partner's record is the sums of its months
       + (SELECT count(*)
          FROM ((TABLE channel.partner_win_record
                 EXCEPT ALL SELECT partner_id, sum(deals_won), sum(deals_won) + sum(deals_lost)
                            FROM channel.partner_month GROUP BY 1)
                UNION ALL
                (SELECT partner_id, sum(deals_won), sum(deals_won) + sum(deals_lost)
                 FROM channel.partner_month GROUP BY 1
                 EXCEPT ALL TABLE channel.partner_win_record)) w) AS differences;
SELECT * FROM rollup_differences;

-- an update that touches no figure queues nothing (rescoring every lead)
UPDATE channel.lead SET score = 50;
UPDATE channel.deal SET status_reason = coalesce(status_reason, 'checked');
SELECT count(*) AS queued_by_rescoring FROM channel.partner_month_dirty;

-- live transitions are dated by their history event (this month)
UPDATE channel.lead SET status = 'routed', partner_id = 2, routed_at = now(), accept_by = now() + interval '2 days'
WHERE lead_id = 6;
UPDATE channel.lead SET status = 'rejected', reject_reason = 'no_capacity' WHERE lead_id = 6;
-- a lead lost, a deal won and its open value gone, a deal moved to another month
UPDATE channel.lead SET status = 'lost', closed_at = '2026-05-20 10:00+00' WHERE lead_id = 2;
UPDATE channel.deal SET status = 'won', amount = 25000, closed_at = '2026-05-10 10:00+00' WHERE deal_id = 3;
UPDATE channel.deal SET expected_close = '2026-07-31' WHERE deal_id = 2;
-- a lead deleted with its history
DELETE FROM channel.lead WHERE lead_id = 5;
SELECT count(*) > 0 AS queued FROM channel.partner_month_dirty;

CALL channel.refresh_rollups();
SELECT p, CASE WHEN month = channel.month_of(now()) THEN 'this month' ELSE month::text END AS month,
       rt, acc, rej, rec, conv, lost, h_med, h_n, reg, appr, confl, won, dlost, revenue, close_d, open
FROM rollup ORDER BY p, rollup.month;
SELECT * FROM rollup_differences;

-- a lead re-routed to another partner: both routings count, each in its month
UPDATE channel.lead SET status = 'routed', partner_id = 1, routed_at = now(), accept_by = now() + interval '2 days',
       reject_reason = NULL
WHERE lead_id = 6;
CALL channel.refresh_rollups();
SELECT p, leads_routed AS rt, leads_rejected AS rej
FROM (SELECT partner_id AS p, leads_routed, leads_rejected FROM channel.partner_month
      WHERE month = channel.month_of(now())) x ORDER BY p;
SELECT * FROM rollup_differences;

-- the new holder accepts it (its acceptance month only); a won registration
-- is reopened as conflicting (submission, close and expected-close months),
-- then approved (decision month; it stays counted as conflicting)
-- (accepted at now(), the transaction's time that "this month" below is read
-- from: clock_timestamp() could already be in the next month at 23:59)
UPDATE channel.lead SET status = 'accepted', accepted_at = now() WHERE lead_id = 6;
UPDATE channel.deal SET status = 'conflict', closed_at = NULL, status_reason = 'overlaps deal 9' WHERE deal_id = 1;
UPDATE channel.deal SET status = 'approved', decided_at = '2026-03-06 12:00+00', status_reason = NULL
WHERE deal_id = 1;
SELECT partner_id, CASE WHEN month = channel.month_of(now()) THEN 'this month' ELSE month::text END AS month, count(*) AS marks
FROM channel.partner_month_dirty GROUP BY partner_id, month ORDER BY partner_id, 2;
CALL channel.refresh_rollups();
SELECT * FROM rollup_differences;
SELECT month, deals_registered AS reg, deals_approved AS appr, deals_conflict AS confl, deals_won AS won, open_pipeline AS open
FROM channel.partner_month WHERE partner_id = 1 AND month IN ('2026-03-01', '2026-04-01') ORDER BY month;

-- TRUNCATE fires no row triggers: every rollup month is queued instead
TRUNCATE channel.deal CASCADE;
SELECT count(*) > 0 AS queued_by_truncate FROM channel.partner_month_dirty;
CALL channel.refresh_rollups();
SELECT sum(deals_registered) AS deals_left, sum(leads_routed) AS routings_left FROM channel.partner_month;
SELECT * FROM rollup_differences;

-- nothing queued: a refresh does nothing
SELECT channel.refresh_dirty_rollups() AS pairs_recomputed;

-- the full rebuild gives the same table and empties the queue
INSERT INTO channel.partner_month_dirty (partner_id, month) VALUES (1, '2026-01-01');
CREATE TEMP TABLE before_rebuild AS TABLE channel.partner_month;
SELECT channel.rebuild_rollups() AS rows_rebuilt;
SELECT count(*) AS differences_after_rebuild
FROM ((TABLE channel.partner_month EXCEPT ALL TABLE before_rebuild)
      UNION ALL (TABLE before_rebuild EXCEPT ALL TABLE channel.partner_month)) d;
SELECT count(*) AS queued_after_rebuild FROM channel.partner_month_dirty;
SELECT * FROM rollup_differences;

-- a month is the first of a month
SAVEPOINT bad_month;
INSERT INTO channel.partner_month (partner_id, month) VALUES (1, '2026-03-15');
ROLLBACK TO SAVEPOINT bad_month;

-- a caller acting for a partner may neither refresh nor rebuild
SAVEPOINT as_partner;
SELECT channel.set_portal_partner(1);
CALL channel.refresh_rollups();
ROLLBACK TO SAVEPOINT as_partner;
SAVEPOINT as_partner;
SELECT channel.set_portal_partner(1);
SELECT channel.rebuild_rollups();
ROLLBACK TO SAVEPOINT as_partner;
ROLLBACK;

SELECT count(*) AS rollup_rows_left FROM channel.partner_month;

-- a portal user (who may not execute channel's functions) registers a deal
-- in a fresh session: the rollup's indexes and triggers need no privilege
-- of it, and the month is queued
CREATE ROLE regress_bi_portal IN ROLE channel_portal;
\c -
BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers');
INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Ibérica Sistemas S.L.', 'active', 'ES');
SET LOCAL ROLE regress_bi_portal;
SELECT has_function_privilege('channel.month_of(timestamptz)', 'EXECUTE') AS may_execute_month_of;
SELECT count(*) AS acting_for_partner_1 FROM channel.set_portal_partner(1);
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (1, 'Telefónica S.A.', 'ES', 'SERVERS', 1000, current_date + 40);
RESET ROLE;
SELECT partner_id, month = channel.month_of(now()) AS this_month FROM channel.partner_month_dirty
WHERE partner_id = 1 AND marked_at = now() ORDER BY 2 DESC;
ROLLBACK;
DROP ROLE regress_bi_portal;

-- at scale: after a bulk load the queue covers most of the rollup and the
-- refresh recomputes it in one pass; after a day of activity, pair by pair.
-- Either way the rollup equals the recomputation.
BEGIN;
CREATE TEMP VIEW rollup_differences AS
SELECT (SELECT count(*)
        FROM ((TABLE channel.partner_month EXCEPT ALL TABLE channel.partner_month_computed)
              UNION ALL
              (TABLE channel.partner_month_computed EXCEPT ALL TABLE channel.partner_month)) d)
       -- and each partner's record is the sums of its months
       + (SELECT count(*)
          FROM ((TABLE channel.partner_win_record
                 EXCEPT ALL SELECT partner_id, sum(deals_won), sum(deals_won) + sum(deals_lost)
                            FROM channel.partner_month GROUP BY 1)
                UNION ALL
                (SELECT partner_id, sum(deals_won), sum(deals_won) + sum(deals_lost)
                 FROM channel.partner_month GROUP BY 1
                 EXCEPT ALL TABLE channel.partner_win_record)) w) AS differences;
SET LOCAL client_min_messages = warning;
SELECT count(*) > 0 AS loaded FROM channel.generate_demo(400, 8000, 1, '2026-11-01');
SELECT count(DISTINCT (partner_id, month)) > 1000 AS bulk_queue FROM channel.partner_month_dirty;
CALL channel.refresh_rollups();
SELECT count(*) > 1000 AS rollup_rows FROM channel.partner_month;
SELECT * FROM rollup_differences;
UPDATE channel.lead SET status = 'accepted', accepted_at = routed_at + interval '5 hours'
WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'routed' ORDER BY lead_id LIMIT 40);
UPDATE channel.lead SET status = 'lost', closed_at = accepted_at + interval '3 days'
WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'accepted' ORDER BY lead_id DESC LIMIT 40);
UPDATE channel.lead SET status = 'recalled', status_reason = 'sla_expired'
WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'routed' ORDER BY lead_id DESC LIMIT 40);
UPDATE channel.deal SET status = 'won', closed_at = greatest(now(), submitted_at), amount = amount * 1.1
WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'approved' ORDER BY deal_id LIMIT 40);
UPDATE channel.deal SET partner_id = (SELECT min(partner_id) FROM channel.partner WHERE status = 'active')
WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'submitted' ORDER BY deal_id LIMIT 10);
DELETE FROM channel.deal WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE lead_id IS NULL ORDER BY deal_id LIMIT 20);
SELECT count(DISTINCT (partner_id, month)) BETWEEN 1 AND 1000 AS small_queue FROM channel.partner_month_dirty;
CALL channel.refresh_rollups();
SELECT * FROM rollup_differences;
ROLLBACK;
