-- 31_bi: the BI functions on a channel small enough to check by hand; a
-- partner caller sees only its own rows; bad arguments are refused.
-- Runs in a transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never

BEGIN;
SELECT channel.rebuild_rollups() >= 0 AS started_clean;

INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers'), ('STORAGE', 'Storage');
INSERT INTO channel.partner (partner_id, name, tier, status, country, created_at) VALUES
  (1, 'Alpha Systemhaus GmbH', 'gold', 'active', 'DE', '2024-01-01 00:00+00'),
  (2, 'Bêta Informatique SAS', 'gold', 'active', 'FR', '2024-01-01 00:00+00'),
  (3, 'Gamma Networks Inc.', 'silver', 'active', 'US', '2024-01-01 00:00+00'),
  (4, 'Delta Tech LLC', 'registered', 'inactive', 'US', '2024-01-01 00:00+00'),
  (5, 'Epsilon Data Ltd', 'registered', 'prospect', 'GB', '2024-01-01 00:00+00');

INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by,
                          accepted_at, closed_at, reject_reason) VALUES
  -- partner 1: accepted after 2 h and converted; accepted after 6 h and lost; rejected
  (1, 'Siemens AG', 'DE', 'SERVERS', 'converted', 1, '2026-01-10 00:00+00', '2026-01-12 00:00+00',
      '2026-01-10 02:00+00', '2026-02-01 00:00+00', NULL),
  (2, 'Bayer AG', 'DE', 'SERVERS', 'lost', 1, '2026-02-10 00:00+00', '2026-02-12 00:00+00',
      '2026-02-10 06:00+00', '2026-03-01 00:00+00', NULL),
  (3, 'BASF SE', 'DE', 'SERVERS', 'rejected', 1, '2026-03-01 00:00+00', '2026-03-03 00:00+00',
      NULL, NULL, 'no_capacity'),
  -- partner 2: accepted after 10 h
  (4, 'Carrefour S.A.', 'FR', 'SERVERS', 'accepted', 2, '2026-04-01 00:00+00', '2026-04-03 00:00+00',
      '2026-04-01 10:00+00', NULL, NULL),
  -- partner 3: recalled
  (5, 'Acme Corp.', 'US', 'STORAGE', 'recalled', 3, '2026-05-01 00:00+00', '2026-05-03 00:00+00',
      NULL, NULL, NULL);

INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, decided_at, protected_until, closed_at) VALUES
  -- partner 1: won 100,000 this year, 50,000 the year before, one lost
  (1, 1, 'Siemens AG', 'DE', 'SERVERS', 100000, '2026-03-31', 'won', '2026-02-01 00:00+00', '2026-02-02 00:00+00',
      '2026-05-01 00:00+00', '2026-03-15 00:00+00'),
  (2, 1, 'Bosch GmbH', 'DE', 'SERVERS', 50000, '2025-03-31', 'won', '2025-02-01 00:00+00', '2025-02-02 00:00+00',
      '2025-05-01 00:00+00', '2025-03-10 00:00+00'),
  (3, 1, 'BASF SE', 'DE', 'STORAGE', 30000, '2026-04-30', 'lost', '2026-03-01 00:00+00', '2026-03-02 00:00+00',
      '2026-06-01 00:00+00', '2026-04-01 00:00+00'),
  -- partner 2: won 300,000; an approved and a submitted registration open in Q3
  (4, 2, 'Carrefour S.A.', 'FR', 'SERVERS', 300000, '2026-06-30', 'won', '2026-05-01 00:00+00', '2026-05-02 00:00+00',
      '2026-08-01 00:00+00', '2026-06-01 00:00+00'),
  (5, 2, 'Danone S.A.', 'FR', 'SERVERS', 40000, '2026-08-20', 'approved', '2026-06-05 00:00+00', '2026-06-06 00:00+00',
      '2026-09-05 00:00+00', NULL),
  (6, 2, 'Orange S.A.', 'FR', 'STORAGE', 10000, '2026-09-30', 'submitted', '2026-06-10 00:00+00', NULL,
      '2026-09-10 00:00+00', NULL),
  -- partner 3: won 60,000; a registration in conflict open in Q3
  (7, 3, 'Acme Corp.', 'US', 'STORAGE', 60000, '2026-02-28', 'won', '2026-01-01 00:00+00', '2026-01-02 00:00+00',
      '2026-04-01 00:00+00', '2026-02-01 00:00+00'),
  (8, 3, 'Globex Inc.', 'US', 'SERVERS', 20000, '2026-07-05', 'conflict', '2026-05-20 00:00+00', NULL,
      '2026-08-20 00:00+00', NULL),
  -- the direct sales force: pipeline only
  (9, NULL, 'Initech', 'US', 'SERVERS', 5000, '2026-08-01', 'submitted', '2026-06-01 00:00+00', NULL,
      '2026-09-01 00:00+00', NULL);
CALL channel.refresh_rollups();

-- scorecard for the 12 months July 2025 - June 2026:
--  p1: acceptance 2 of 3 decided, conversion 1 of 2 closed, 4 h on average,
--      win rate 1 of 2, revenue 100,000 against 50,000: growth +100%;
--      lowest of the two gold EMEA partners (percentile 0)
--  p2: acceptance 1 of 1, 10 h, revenue 300,000 from nothing (growth NULL), percentile 100
--  p3: recalled its only lead (acceptance 0), revenue 60,000, alone in silver NA (no percentile)
--  p4 (inactive, no activity) and p5 (prospect) are not on it
SELECT partner_id AS p, tier, region, period_start, period_end, leads_routed AS rt, leads_accepted AS acc,
       round(acceptance_rate::numeric, 3) AS acc_rate, conversion_rate AS conv_rate, accept_hours_avg AS hours,
       deals_registered AS reg, deals_won AS won, deals_lost AS lost, win_rate, revenue, revenue_previous AS prev,
       revenue_growth AS growth, peers, peer_percentile AS pct
FROM channel.partner_scorecard('2026-06-15') ORDER BY partner_id;
-- a year later partner 2's revenue has left the window and is last year's
SELECT partner_id AS p, revenue, revenue_previous AS prev, revenue_growth AS growth, peer_percentile AS pct
FROM channel.partner_scorecard('2027-06-15') ORDER BY partner_id;

-- the funnel of the first quarter: partner 1's three leads and two
-- registrations, partner 3's win; by product line
SELECT partner_id AS p, tier, region, product_line, leads_routed AS rt, leads_accepted AS acc, leads_rejected AS rej,
       leads_recalled AS rec, leads_converted AS conv, leads_lost AS lost, deals_registered AS reg,
       deals_won AS won, won_revenue AS revenue, round(acceptance_rate::numeric, 3) AS acc_rate,
       conversion_rate AS conv_rate, win_rate
FROM channel.lead_funnel('2026-01-01', '2026-03-31');
-- one day: only partner 1's routing and acceptance of 10 January
SELECT partner_id AS p, product_line, leads_routed AS rt, leads_accepted AS acc
FROM channel.lead_funnel('2026-01-10', '2026-01-10');

-- pipeline of Q3 2026 (any date of the quarter): stage weights approved 0.6,
-- submitted 0.3, conflict 0.1; the direct sales force last
SELECT partner_id AS p, product_line, expected_close_month AS month, open_deals AS n, open_amount AS amount,
       weighted_amount AS weighted, weighting
FROM channel.pipeline('2026-08-15');
SELECT count(*) AS rows_q2 FROM channel.pipeline('2026-04-01');

-- inactive since 1 April 2026: partner 1 (last win 15 March) and partner 4
-- (never active: counted from when it joined); not the prospect
SELECT partner_id AS p, status, last_lead_accepted, last_deal_registered, last_sale, last_activity,
       inactive_days = floor(extract(epoch FROM now() - coalesce(last_activity, '2024-01-01 00:00+00')) / 86400) AS days_ok
FROM channel.inactive_partners((current_date - date '2026-04-01')::int);

-- 80/20 over July 2025 - June 2026: revenue 300,000 + 100,000 + 60,000 = 460,000;
-- partner 2 alone makes 65%, with partner 1 87%
SELECT rank, partner_id AS p, revenue, round(revenue_share::numeric, 4) AS share,
       round(cumulative_share::numeric, 4) AS cumulative, partners_with_revenue AS of, round(partners_share::numeric, 4) AS set_share
FROM channel.top_partners(0.8, '2026-06-15');
SELECT rank, partner_id AS p FROM channel.top_partners(0.5, '2026-06-15');
SELECT count(*) AS all_partners_for_100pct FROM channel.top_partners(1, '2026-06-15');

-- a partner caller gets its own rows only (its percentile still among all peers)
SAVEPOINT as_partner;
SELECT channel.set_portal_partner(2);
SELECT partner_id AS p, revenue, peers, peer_percentile AS pct FROM channel.partner_scorecard('2026-06-15');
SELECT partner_id AS p, count(*) AS funnel_rows FROM channel.lead_funnel('2026-01-01', '2026-12-31') GROUP BY partner_id;
SELECT partner_id AS p, count(*) AS pipeline_rows FROM channel.pipeline('2026-08-15') GROUP BY partner_id;
SELECT rank, partner_id AS p FROM channel.top_partners(0.8, '2026-06-15');
SELECT count(*) AS inactive_rows FROM channel.inactive_partners(1);
ROLLBACK TO SAVEPOINT as_partner;

ROLLBACK;

-- bad arguments
SELECT * FROM channel.partner_scorecard(NULL);
SELECT * FROM channel.partner_scorecard('1999-12-31');
SELECT * FROM channel.lead_funnel(NULL, '2026-01-01');
SELECT * FROM channel.lead_funnel('2026-02-01', '2026-01-01');
SELECT * FROM channel.lead_funnel('2010-01-01', '2026-01-01');
SELECT * FROM channel.pipeline(NULL);
SELECT * FROM channel.inactive_partners(0);
SELECT * FROM channel.inactive_partners(NULL);
SELECT * FROM channel.top_partners(0);
SELECT * FROM channel.top_partners(1.5);
SELECT * FROM channel.top_partners('NaN');
SELECT * FROM channel.top_partners(0.8, NULL);

-- the functions are STABLE and read-only
SELECT p.proname, p.provolatile, p.prosecdef, p.proretset
FROM pg_proc p
WHERE p.pronamespace = 'channel'::regnamespace
  AND p.proname IN ('partner_scorecard', 'lead_funnel', 'pipeline', 'inactive_partners', 'top_partners')
ORDER BY p.proname;
