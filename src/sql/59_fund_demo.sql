-- 59_fund_demo.sql: demo funds for the demo channel (test/demo.d/55_funds.sql).
--
-- channel.demo_funds() runs after channel.generate_demo() and gives the
-- channel two quarters of MDF and co-op: per-region MDF budgets allocated
-- by tier, co-op accrued on the deals won, this quarter's incentives
-- (channel.demo_incentives(), 59_incentives.sql), partners' requests (some partial,
-- rejected or cancelled) with their campaigns, claims with invoices and
-- payments, leads attributed to the campaigns, a share of partners who
-- spend at the very end of the quarter, and the previous quarter closed by
-- the period-end job with 10% carried over.  Budgets, allocations, the
-- accrual and the period end go through the channel's own functions;
-- requests, claims and their ledger rows are written set-based (tens of
-- thousands of rows), every ledger row still checked by the ledger
-- trigger.  Deterministic for a seed and as_of.

CREATE FUNCTION channel.demo_funds(seed integer DEFAULT 1, as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  s bigint := seed;
  qc date := date_trunc('quarter', as_of)::date;
  qp date := (date_trunc('quarter', as_of) - interval '3 months')::date;
  t_end timestamptz := as_of + time '12:00';
  q date;
  r text;
  bid bigint;
  prev_bid bigint;
  coop_bid bigint;
  need numeric;
  scratch text;
BEGIN
  PERFORM channel.fund_vendor_only('generate demo funds');
  IF seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'seed and as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.partner WHERE status = 'active') THEN
    RAISE EXCEPTION 'the channel has no active partner'
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run channel.generate_demo() first.';
  END IF;
  IF EXISTS (SELECT 1 FROM channel.fund_budget) THEN
    RAISE EXCEPTION 'the channel already has fund budgets'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'demo_funds only fills a channel without funds, so it never mixes demo money with real money.';
  END IF;
  FOREACH scratch IN ARRAY ARRAY['demo_req', 'demo_claim'] LOOP
    IF to_regclass('pg_temp.' || scratch) IS NOT NULL THEN
      EXECUTE format('DROP TABLE pg_temp.%I', scratch);
    END IF;
  END LOOP;

  ---------------------------------------------------------------- budgets
  RAISE NOTICE 'demo_funds: %', 'budgets';
  -- MDF per region and quarter, sized to what the tiers get (platinum
  -- 30,000, gold 12,000, silver 4,000 per active partner) plus 15% kept back;
  -- one co-op budget per quarter; the previous quarter carries 10% into
  -- the current one
  FOREACH q IN ARRAY ARRAY[qp, qc] LOOP
    FOREACH r IN ARRAY ARRAY['NA', 'EMEA', 'APAC', 'LATAM'] LOOP
      SELECT coalesce(sum(CASE p.tier WHEN 'platinum' THEN 30000 WHEN 'gold' THEN 12000 WHEN 'silver' THEN 4000 ELSE 0 END), 0)
      INTO need FROM channel.partner p WHERE p.status = 'active' AND p.region = r;
      CONTINUE WHEN need = 0;
      bid := channel.create_fund_budget(format('MDF %s %s-Q%s', r, extract(year FROM q), extract(quarter FROM q)),
                                        'mdf', 'quarter', q, 'USD', round(need * 1.15, -3), 20000, 30);
      PERFORM channel.allocate_funds(bid, 30000, tier => 'platinum', region => r)
      WHERE EXISTS (SELECT 1 FROM channel.partner p WHERE p.status = 'active' AND p.region = r AND p.tier = 'platinum');
      PERFORM channel.allocate_funds(bid, 12000, tier => 'gold', region => r)
      WHERE EXISTS (SELECT 1 FROM channel.partner p WHERE p.status = 'active' AND p.region = r AND p.tier = 'gold');
      PERFORM channel.allocate_funds(bid, 4000, tier => 'silver', region => r)
      WHERE EXISTS (SELECT 1 FROM channel.partner p WHERE p.status = 'active' AND p.region = r AND p.tier = 'silver');
      IF q = qc THEN
        SELECT b.budget_id INTO prev_bid FROM channel.fund_budget b
        WHERE b.fund = 'mdf' AND b.period_start = qp AND b.name LIKE format('MDF %s %%', r);
        IF prev_bid IS NOT NULL THEN
          PERFORM channel.set_fund_carry_over(prev_bid, 10, bid);
        END IF;
      END IF;
    END LOOP;
    coop_bid := channel.create_fund_budget(format('Co-op %s-Q%s', extract(year FROM q), extract(quarter FROM q)),
                                           'coop', 'quarter', q, 'USD', NULL, 20000, 30);
    INSERT INTO channel.coop_rule (budget_id, tier, product_line, rate) VALUES
      (coop_bid, NULL, NULL, 0.005), (coop_bid, 'gold', NULL, 0.01), (coop_bid, 'platinum', NULL, 0.015),
      (coop_bid, 'platinum', 'SECURITY', 0.02), (coop_bid, NULL, 'SERVICES', 0.0025);
  END LOOP;

  ANALYZE channel.fund_budget; ANALYZE channel.fund_allocation; ANALYZE channel.fund_ledger;
  ---------------------------------------------------------------- co-op
  RAISE NOTICE 'demo_funds: %', 'co-op accrual';
  PERFORM channel.accrue_coop(as_of);

  ---------------------------------------------------------------- requests
  RAISE NOTICE 'demo_funds: %', 'requests';
  -- MDF partners ask: platinum 90%, gold 70%, silver 35% of them, one to
  -- four activities each, together at most 90% of the allocation; one in
  -- eight is an end-of-quarter spender (activities in the last 3 weeks)
  CREATE TEMP TABLE demo_req ON COMMIT DROP AS
  WITH alloc AS (
    SELECT a.allocation_id, a.budget_id, a.partner_id, p.tier, p.region, b.period_start, b.period_end,
           (SELECT sum(l.amount) FROM channel.fund_ledger l WHERE l.allocation_id = a.allocation_id AND l.entry = 'allocation') AS allocated,
           channel.det_random(s, 901, a.partner_id) AS u_join, channel.det_random(s, 902, a.partner_id) AS u_spike,
           1 + floor(channel.det_random(s, 903, a.allocation_id) * 4)::int AS n
    FROM channel.fund_allocation a
    JOIN channel.fund_budget b ON b.budget_id = a.budget_id AND b.fund = 'mdf'
    JOIN channel.partner p ON p.partner_id = a.partner_id),
  picked AS (
    SELECT al.*, k, channel.det_random(s, 904, al.allocation_id * 8 + k) AS u_share,
           channel.det_random(s, 905, al.allocation_id * 8 + k) AS u_type,
           channel.det_random(s, 906, al.allocation_id * 8 + k) AS u_day,
           channel.det_random(s, 907, al.allocation_id * 8 + k) AS u_status,
           channel.det_random(s, 908, al.allocation_id * 8 + k) AS u_len
    FROM alloc al CROSS JOIN LATERAL generate_series(1, al.n) k
    WHERE al.u_join < CASE al.tier WHEN 'platinum' THEN 0.9 WHEN 'gold' THEN 0.7 ELSE 0.35 END),
  shaped AS (
    SELECT pk.*, u_spike < 0.125 AS spender,
           greatest(500, round(pk.allocated * 0.9 * (0.2 + pk.u_share::numeric) / sum(0.2 + pk.u_share::numeric) OVER (PARTITION BY pk.allocation_id), -2)) AS cost,
           (ARRAY['event', 'webinar', 'digital', 'digital', 'content', 'trade_show', 'email', 'telemarketing', 'advertising', 'training'])
             [1 + floor(pk.u_type * 10)::int] AS activity_type
    FROM picked pk)
  SELECT row_number() OVER (ORDER BY sh.allocation_id, sh.k) AS request_id, sh.*,
         d.planned_start, least(d.planned_start + floor(sh.u_len * 6)::int, sh.period_end - 1) AS planned_end
  FROM shaped sh
  CROSS JOIN LATERAL (
    SELECT CASE WHEN sh.spender THEN sh.period_end - 1 - floor(sh.u_day * 21)::int
                ELSE sh.period_start + floor(sh.u_day * (sh.period_end - sh.period_start - 7))::int END AS planned_start) d
  -- what the partners have planned this far: the past and the next 45 days
  WHERE d.planned_start <= as_of + 45;
  -- the sum per allocation stays within 90% of it (rounding to hundreds may add a little)
  ALTER TABLE demo_req ADD COLUMN status channel.fund_request_status, ADD COLUMN approved numeric(16,2),
                       ADD COLUMN submitted_at timestamptz, ADD COLUMN decided_at timestamptz;
  UPDATE demo_req d SET
    submitted_at = least(greatest(d.planned_start - 10 - floor(d.u_len * 25)::int, d.period_start - 20) + time '09:00', t_end - interval '1 hour'),
    status = CASE WHEN d.planned_start > as_of + 7 AND d.u_status < 0.6 THEN 'submitted'
                  WHEN d.u_status < 0.07 THEN 'rejected'
                  WHEN d.u_status < 0.13 THEN 'cancelled'
                  ELSE 'approved' END::channel.fund_request_status;
  UPDATE demo_req d SET
    decided_at = CASE WHEN d.status <> 'submitted' THEN least(d.submitted_at + make_interval(hours => 4 + floor(d.u_type * 90)::int), t_end) END,
    approved = CASE WHEN d.status IN ('approved', 'cancelled') THEN
                 CASE WHEN d.u_share < 0.15 THEN round(d.cost * 0.8, -2) ELSE d.cost END END;

  INSERT INTO channel.fund_request (request_id, allocation_id, budget_id, partner_id, activity_type, title,
                                    planned_start, planned_end, planned_cost, currency, expected_leads, status,
                                    approved_amount, requested_by, submitted_at, first_approved_by, first_approved_amount,
                                    first_approved_at, decided_by, decided_at, closed_at, status_reason, created_at)
  SELECT d.request_id, d.allocation_id, d.budget_id, d.partner_id, d.activity_type,
         initcap(replace(d.activity_type, '_', ' ')) || ' ' || to_char(d.planned_start, 'Mon DD'),
         d.planned_start, d.planned_end, d.cost, 'USD',
         CASE WHEN d.activity_type IN ('content', 'training') THEN NULL ELSE greatest(5, round(d.cost / 150)) END,
         CASE WHEN d.status = 'cancelled' THEN 'cancelled' ELSE d.status END,
         CASE WHEN d.status = 'approved' THEN d.approved END,
         'portal', d.submitted_at,
         CASE WHEN d.status IN ('approved', 'cancelled') AND d.approved > 20000 THEN 'cm.' || lower(d.region) END,
         CASE WHEN d.status IN ('approved', 'cancelled') AND d.approved > 20000 THEN d.approved END,
         CASE WHEN d.status IN ('approved', 'cancelled') AND d.approved > 20000 THEN d.decided_at - interval '2 hours' END,
         CASE WHEN d.status IN ('approved', 'rejected', 'cancelled')
              THEN CASE WHEN d.approved > 20000 THEN 'vp.channel' ELSE 'cm.' || lower(d.region) END END,
         CASE WHEN d.status IN ('approved', 'rejected', 'cancelled') THEN d.decided_at END,
         CASE WHEN d.status = 'cancelled' THEN least(d.decided_at + interval '3 days', t_end) END,
         CASE d.status WHEN 'rejected' THEN (ARRAY['activity not eligible for MDF', 'no measurable outcome', 'duplicate of an approved activity'])
                                              [1 + floor(d.u_len * 3)::int]
                       WHEN 'cancelled' THEN 'event postponed' END,
         d.submitted_at - interval '1 day'
  FROM demo_req d ORDER BY d.request_id;
  PERFORM setval('channel.fund_request_request_id_seq', greatest((SELECT max(request_id) FROM demo_req), 1));

  -- reservations (cancelled ones reserved, then released)
  INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                   request_id, at, actor, note)
  SELECT d.budget_id, d.allocation_id, d.partner_id, 'reservation', 'available', 'reserved', d.approved, 'USD',
         d.request_id, d.decided_at, CASE WHEN d.approved > 20000 THEN 'vp.channel' ELSE 'cm.' || lower(d.region) END,
         CASE WHEN d.approved < d.cost THEN format('partial approval: %s of %s', d.approved, d.cost) END
  FROM demo_req d WHERE d.status IN ('approved', 'cancelled') ORDER BY d.request_id;
  INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                   request_id, at, actor, note)
  SELECT d.budget_id, d.allocation_id, d.partner_id, 'release', 'reserved', 'available', d.approved, 'USD',
         d.request_id, least(d.decided_at + interval '3 days', t_end), 'portal', 'cancelled: event postponed'
  FROM demo_req d WHERE d.status = 'cancelled' ORDER BY d.request_id;

  ---------------------------------------------------------------- campaigns
  RAISE NOTICE 'demo_funds: %', 'campaigns and leads';
  -- the outreach activities run a campaign of the partner's own
  INSERT INTO channel.campaign (code, name, kind, partner_id, starts_on, ends_on, created_by, created_at)
  SELECT 'P' || d.partner_id || '-' || d.request_id, p.name || ': ' || replace(d.activity_type, '_', ' ') || ' ' || to_char(d.planned_start, 'Mon YYYY'),
         'partner', d.partner_id, d.planned_start, d.planned_end, 'portal', d.submitted_at
  FROM demo_req d JOIN channel.partner p ON p.partner_id = d.partner_id
  WHERE d.activity_type IN ('event', 'webinar', 'digital', 'trade_show', 'email', 'telemarketing') AND d.status = 'approved'
  ORDER BY d.request_id;
  UPDATE channel.fund_request fr SET campaign_id = c.campaign_id
  FROM channel.campaign c WHERE c.code = 'P' || fr.partner_id || '-' || fr.request_id;
  -- leads of the partner created from the activity to 60 days after it
  -- came from it (about a third of them; vendor campaign leads keep theirs)
  UPDATE channel.lead l SET campaign = c.code
  FROM (SELECT DISTINCT ON (ld.lead_id) ld.lead_id, c.code
        FROM channel.campaign c
        JOIN channel.lead ld ON ld.partner_id = c.partner_id AND ld.campaign IS NULL
         AND ld.created_at >= c.starts_on::timestamp AT TIME ZONE 'UTC'
         AND ld.created_at < (c.ends_on + 61)::timestamp AT TIME ZONE 'UTC'
        WHERE c.kind = 'partner' AND channel.det_random(s, 910, ld.lead_id) < 0.35
        ORDER BY ld.lead_id, c.starts_on DESC, c.campaign_id DESC) c
  WHERE l.lead_id = c.lead_id;
  -- partners join the vendor campaigns their leads came from
  INSERT INTO channel.campaign_member (campaign_id, partner_id, joined_at)
  SELECT c.campaign_id, l.partner_id, min(l.created_at) - interval '7 days'
  FROM channel.lead l JOIN channel.campaign c ON c.code = l.campaign AND c.kind = 'vendor'
  WHERE l.partner_id IS NOT NULL
  GROUP BY c.campaign_id, l.partner_id;

  ---------------------------------------------------------------- claims
  RAISE NOTICE 'demo_funds: %', 'claims';
  -- after the activity: one claim (one in five: two), 60-100% of the
  -- approval; paid after two weeks, a few rejected or still waiting
  CREATE TEMP TABLE demo_claim ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY d.request_id, kk) AS claim_id, d.request_id, d.allocation_id, d.budget_id, d.partner_id,
         d.region, kk AS k, x.submitted_at,
         trunc(d.approved * (0.6 + 0.4 * channel.det_random(s, 920, d.request_id)::numeric) * CASE WHEN two THEN (CASE kk WHEN 1 THEN 0.6 ELSE 0.4 END) ELSE 1 END, 2) AS amount,
         channel.det_random(s, 921, d.request_id * 2 + kk) AS u_st
  FROM demo_req d
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 922, d.request_id) < 0.2 AS two) t
  CROSS JOIN LATERAL generate_series(1, CASE WHEN t.two THEN 2 ELSE 1 END) kk
  CROSS JOIN LATERAL (
    SELECT CASE WHEN d.spender THEN greatest(d.planned_end + 1, d.period_end - 14)::timestamp
                                     + make_interval(secs => channel.det_random(s, 923, d.request_id * 2 + kk) * (least(d.period_end, as_of) - greatest(d.planned_end + 1, d.period_end - 14)) * 86400)
                ELSE (d.planned_end + 3 + floor(channel.det_random(s, 923, d.request_id * 2 + kk) * 18)::int + 7 * (kk - 1)) + time '10:00' END
             AT TIME ZONE 'UTC' AS submitted_at) x
  WHERE d.status = 'approved'
    AND x.submitted_at < least(t_end, (d.period_end + 30)::timestamp AT TIME ZONE 'UTC')
    AND x.submitted_at > (d.planned_end + 1)::timestamp AT TIME ZONE 'UTC';
  ALTER TABLE demo_claim ADD COLUMN status channel.fund_claim_status, ADD COLUMN approved numeric(16,2),
                         ADD COLUMN decided_at timestamptz, ADD COLUMN paid_at timestamptz;
  UPDATE demo_claim c SET
    status = CASE WHEN c.u_st < 0.05 THEN 'rejected'
                  WHEN c.submitted_at > t_end - interval '5 days' THEN 'submitted'
                  WHEN c.submitted_at > t_end - interval '14 days' OR c.u_st < 0.12 THEN 'approved'
                  ELSE 'paid' END::channel.fund_claim_status;
  UPDATE demo_claim c SET
    decided_at = CASE WHEN c.status <> 'submitted' THEN least(c.submitted_at + interval '3 days', t_end) END,
    approved = CASE WHEN c.status IN ('approved', 'paid') THEN
                 CASE WHEN c.u_st > 0.9 THEN round(c.amount * 0.9, 2) ELSE c.amount END END;
  UPDATE demo_claim c SET paid_at = CASE WHEN c.status = 'paid' THEN least(c.decided_at + interval '8 days', t_end) END;

  INSERT INTO channel.fund_claim (claim_id, request_id, allocation_id, partner_id, amount, currency, approved_amount, status,
                                  documents, claimed_by, submitted_at, decided_by, decided_at, status_reason, paid_by, paid_at,
                                  payment_reference, created_at)
  SELECT c.claim_id, c.request_id, c.allocation_id, c.partner_id, c.amount, 'USD', c.approved, c.status,
         ARRAY['proof/' || c.claim_id || '/photos.zip', 'proof/' || c.claim_id || '/attendees.csv'],
         'portal', c.submitted_at,
         CASE WHEN c.status <> 'submitted' THEN 'cm.' || lower(c.region) END, c.decided_at,
         CASE WHEN c.status = 'rejected' THEN 'no proof of attendance' END,
         CASE WHEN c.status = 'paid' THEN 'ap.finance' END, c.paid_at,
         CASE WHEN c.status = 'paid' THEN 'PAY-' || to_char(c.paid_at, 'YYYYMMDD') || '-' || c.claim_id END,
         c.submitted_at
  FROM demo_claim c ORDER BY c.claim_id;
  PERFORM setval('channel.fund_claim_claim_id_seq', greatest((SELECT max(claim_id) FROM demo_claim), 1));
  -- one to three invoices that add up to the claim
  INSERT INTO channel.fund_claim_invoice (claim_id, invoice_number, invoice_date, amount, partner_id)
  SELECT c.claim_id, 'INV-' || c.partner_id || '-' || c.claim_id || '-' || i,
         (c.submitted_at - make_interval(days => 2 + i))::date,
         CASE WHEN i < n THEN round(c.amount / n, 2) ELSE c.amount - round(c.amount / n, 2) * (n - 1) END, c.partner_id
  FROM demo_claim c
  CROSS JOIN LATERAL (SELECT 1 + floor(channel.det_random(s, 924, c.claim_id) * 3)::int AS n) m
  CROSS JOIN LATERAL generate_series(1, m.n) i
  ORDER BY c.claim_id, i;
  INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
                                   request_id, claim_id, at, actor, note)
  SELECT c.budget_id, c.allocation_id, c.partner_id, 'payment', 'reserved', 'paid', c.approved, 'USD', c.request_id, c.claim_id,
         c.paid_at, 'ap.finance', 'payment PAY-' || to_char(c.paid_at, 'YYYYMMDD') || '-' || c.claim_id
  FROM demo_claim c WHERE c.status = 'paid' ORDER BY c.claim_id;
  -- fully paid requests are closed
  UPDATE channel.fund_request fr SET status = 'closed', closed_at = x.last_paid, status_reason = 'fully claimed'
  FROM (SELECT c.request_id, max(c.paid_at) AS last_paid, sum(c.approved) AS paid
        FROM demo_claim c WHERE c.status = 'paid' GROUP BY c.request_id) x
  WHERE fr.request_id = x.request_id AND fr.approved_amount = x.paid;

  ANALYZE channel.fund_budget; ANALYZE channel.fund_allocation; ANALYZE channel.fund_ledger;
  ANALYZE channel.fund_request; ANALYZE channel.fund_claim; ANALYZE channel.campaign;
  ---------------------------------------------------------------- incentives
  RAISE NOTICE 'demo_funds: %', 'incentives';
  PERFORM channel.demo_incentives(as_of);

  ---------------------------------------------------------------- period end
  RAISE NOTICE 'demo_funds: %', 'period end';
  PERFORM channel.expire_funds(as_of);

  ANALYZE channel.fund_budget; ANALYZE channel.fund_allocation; ANALYZE channel.fund_ledger;
  ANALYZE channel.fund_request; ANALYZE channel.fund_claim; ANALYZE channel.campaign;

  RETURN QUERY
    SELECT x.item, x.how_many FROM (
      SELECT 1 AS ord, 'fund budgets'::text AS item, count(*)::numeric AS how_many FROM channel.fund_budget
      UNION ALL SELECT 2, 'allocations', count(*) FROM channel.fund_allocation
      UNION ALL SELECT 3, 'MDF budgeted (USD)', sum(amount) FROM channel.fund_ledger WHERE entry = 'budget'
      UNION ALL SELECT 4, 'co-op accrued (USD)', coalesce(sum(amount), 0) FROM channel.fund_ledger WHERE entry = 'accrual'
      UNION ALL SELECT 5, 'deals that earned co-op', count(*) FROM channel.fund_accrual_deal
      UNION ALL SELECT 6, 'fund requests', count(*) FROM channel.fund_request
      UNION ALL SELECT 7, 'claims', count(*) FROM channel.fund_claim
      UNION ALL SELECT 8, 'claims paid (USD)', coalesce(sum(amount), 0) FROM channel.fund_ledger WHERE entry = 'payment'
      UNION ALL SELECT 9, 'partner campaigns', count(*) FROM channel.campaign WHERE kind = 'partner'
      UNION ALL SELECT 10, 'leads attributed to partner campaigns', count(*) FROM channel.lead l
                JOIN channel.campaign c ON c.code = l.campaign AND c.kind = 'partner'
      UNION ALL SELECT 11, 'incentives earned (USD)', coalesce(sum(amount), 0) FROM channel.incentive_earning
      UNION ALL SELECT 12, 'incentive payouts requested', count(*) FROM channel.fund_request WHERE activity_type = 'incentive_payout'
      UNION ALL SELECT 13, 'ledger rows', count(*) FROM channel.fund_ledger) x
    ORDER BY x.ord;
END
$fn$;
COMMENT ON FUNCTION channel.demo_funds(integer, date) IS
  'Gives the demo channel (after channel.generate_demo) two quarters of MDF and co-op: regional MDF budgets allocated by tier, co-op accrued on won deals, this quarter''s incentives (channel.demo_incentives), requests, partner campaigns with attributed leads, claims with invoices and payments, end-of-quarter spenders, and the previous quarter closed with 10% carried over. Deterministic for seed and as_of. Returns counts of what it made.';
REVOKE EXECUTE ON FUNCTION channel.demo_funds(integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.demo_funds(integer, date) TO channel_admin;
