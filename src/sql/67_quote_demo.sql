-- 67_quote_demo.sql: demo pricing, quotes and special pricing for the demo
-- channel (test/demo.d/65_deal_desk.sql).
--
-- channel.demo_deal_desk() runs after channel.generate_demo() and
-- channel.demo_channel_data() (the catalogue): price lists in USD, EUR, GBP
-- and JPY for the last year and the current period, discount schedules by
-- tier with a product line and a programme of their own, three approval
-- levels, and quotes on live registrations -- most within the schedule,
-- some asking for more, decided at once, later, after an escalation, or
-- still pending (some of them overdue, for the escalation job).  Prices come
-- from channel.list_price() and channel.schedule_discount(); quotes, lines,
-- requests and the audit are written set-based; every quote's total goes
-- to its registration through the quote trigger.  Deterministic for a seed
-- and as_of.

CREATE FUNCTION channel.demo_deal_desk(quotes integer DEFAULT 2000, seed integer DEFAULT 1, as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  s bigint := seed;
  t0 timestamptz := as_of + time '12:00';
  first_line text;
  first_program bigint;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor generates demo data' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF quotes IS NULL OR quotes < 1 OR quotes > 1000000 THEN
    RAISE EXCEPTION 'quotes must be between 1 and 1000000' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'seed and as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.product) THEN
    RAISE EXCEPTION 'the catalogue is empty' USING ERRCODE = 'object_not_in_prerequisite_state',
      HINT = 'Run channel.demo_channel_data() (or fill channel.product) first.';
  END IF;
  PERFORM channel.drop_scratch(ARRAY['demo_q', 'demo_ql', 'demo_req']);

  -- price lists: last year's and the current one (4 % dearer), four currencies
  INSERT INTO channel.price_list (name, currency, valid_from, valid_until)
  SELECT c.code || ' ' || v.label, c.code, v.valid_from, v.valid_until
  FROM (VALUES ('USD'), ('EUR'), ('GBP'), ('JPY')) c(code),
       (VALUES ('previous', as_of - 365, as_of - 90), ('current', as_of - 90, NULL::date)) v(label, valid_from, valid_until)
  ON CONFLICT (currency, valid_from) DO NOTHING;
  INSERT INTO channel.price_list_item (price_list_id, product_id, unit_price, unit_cost, floor_pct)
  SELECT l.price_list_id, p.product_id, x.price,
         round(x.price * (0.40 + 0.15 * channel.det_random(s, 651, p.product_id)::numeric), 2), 10
  FROM channel.price_list l
  JOIN channel.currency cu ON cu.code = l.currency
  CROSS JOIN channel.product p
  CROSS JOIN LATERAL (SELECT round(p.list_price * CASE l.currency WHEN 'EUR' THEN 0.92 WHEN 'GBP' THEN 0.79 WHEN 'JPY' THEN 150 ELSE 1 END
                                   * CASE WHEN l.valid_until IS NULL THEN 1.04 ELSE 1 END, cu.minor_units) AS price) x
  WHERE l.currency IN ('USD', 'EUR', 'GBP', 'JPY') AND l.valid_from IN (as_of - 365, as_of - 90)
  ON CONFLICT DO NOTHING;

  -- schedules: by tier, a product line gold and platinum partners get more
  -- on, and a programme's own discount
  SELECT min(code) INTO first_line FROM channel.product_line WHERE active;
  SELECT min(program_id) INTO first_program FROM channel.program;
  INSERT INTO channel.discount_schedule (tier, product_line, program_id, discount_pct, valid_from, note)
  SELECT t.tier, NULL::text, NULL::bigint, t.pct, as_of - 365, 'demo: tier discount'
  FROM (VALUES ('registered'::channel.partner_tier, 5), ('silver', 12), ('gold', 20), ('platinum', 28)) t(tier, pct)
  UNION ALL
  SELECT t.tier, first_line, NULL, t.pct, as_of - 365, 'demo: line discount'
  FROM (VALUES ('gold'::channel.partner_tier, 32), ('platinum', 36)) t(tier, pct) WHERE first_line IS NOT NULL
  UNION ALL
  SELECT NULL, NULL, first_program, 22, as_of - 365, 'demo: programme discount' WHERE first_program IS NOT NULL
  ON CONFLICT DO NOTHING;
  INSERT INTO channel.approval_level (level, name, max_extra_points, approver_role, response_time) VALUES
    (1, 'channel manager', 5, 'channel_admin', '1 day'), (2, 'regional director', 15, 'channel_admin', '2 days'),
    (3, 'VP sales', NULL, 'channel_admin', '3 days')
  ON CONFLICT DO NOTHING;

  -- the quotes: live partner registrations, priced in the last 60 days
  -- (the pending ones in the last 4), in USD mostly
  CREATE TEMP TABLE demo_q ON COMMIT DROP AS
  SELECT d.deal_id, d.partner_id, d.product_line, d.i, d.status AS deal_status,
         CASE WHEN k.u_cur < 0.7 THEN 'USD' WHEN k.u_cur < 0.88 THEN 'EUR' WHEN k.u_cur < 0.97 THEN 'GBP' ELSE 'JPY' END AS currency,
         k.u_fate, k.u_pend < 0.3 AS pending, k.u_close,
         least(as_of, greatest((d.submitted_at AT TIME ZONE 'UTC')::date + 1,
                               as_of - floor(k.u_day * CASE WHEN k.u_pend < 0.3 THEN 4 ELSE 60 END)::int)) AS quoted_on,
         NULL::bigint AS quote_id
  FROM (SELECT d.*, row_number() OVER (ORDER BY channel.det_random(s, 652, d.deal_id), d.deal_id) AS i
        FROM channel.deal d
        WHERE d.partner_id IS NOT NULL AND d.status IN ('submitted', 'approved')
          AND EXISTS (SELECT 1 FROM channel.product p WHERE p.product_line = d.product_line)) d
  CROSS JOIN LATERAL (SELECT channel.det_random(s, 653, d.deal_id) AS u_cur, channel.det_random(s, 654, d.deal_id) AS u_fate,
                             channel.det_random(s, 655, d.deal_id) AS u_day, channel.det_random(s, 663, d.deal_id) AS u_pend,
                             channel.det_random(s, 664, d.deal_id) AS u_close) k
  WHERE d.i <= quotes;

  WITH ins AS (
    INSERT INTO channel.quote (deal_id, partner_id, currency, quoted_on, valid_until, created_by, created_at)
    SELECT q.deal_id, q.partner_id, q.currency, q.quoted_on, q.quoted_on + 30, 'demo', q.quoted_on + time '09:00'
    FROM demo_q q ORDER BY q.i
    RETURNING quote_id, deal_id
  )
  UPDATE demo_q q SET quote_id = ins.quote_id FROM ins WHERE ins.deal_id = q.deal_id;

  -- one to three lines of SKUs of the registration's line, sold that day;
  -- 25 % of quotes ask for more than the schedule on their first line,
  -- never below the margin floor
  CREATE TEMP TABLE demo_ql ON COMMIT DROP AS
  SELECT q.quote_id, q.partner_id, q.quoted_on, q.currency, q.u_fate, n.line_no, p.product_id, p.sku,
         1 + floor(channel.det_random(s, 656, q.quote_id * 4 + n.line_no) * 20)::int AS quantity,
         channel.list_price(p.sku, q.quoted_on, q.currency) AS list_price,
         channel.schedule_discount(q.partner_id, p.sku, q.quoted_on) AS schedule_discount,
         i.unit_cost * (1 + i.floor_pct / 100) AS floor_price
  FROM demo_q q
  CROSS JOIN LATERAL generate_series(1, 1 + floor(channel.det_random(s, 657, q.quote_id) * 3)::int) n(line_no)
  CROSS JOIN LATERAL (SELECT p.* FROM channel.product p
                      WHERE p.product_line = q.product_line AND p.active_from <= q.quoted_on
                        AND (p.active_until IS NULL OR p.active_until > q.quoted_on)
                      ORDER BY channel.det_random(s, 658, q.quote_id * 4 + n.line_no + p.product_id), p.product_id
                      LIMIT 1) p
  JOIN channel.price_list_item i ON i.price_list_id = channel.price_list_in_force(q.currency, q.quoted_on)
                                AND i.product_id = p.product_id;
  -- a SKU drawn twice for a quote keeps its first line
  DELETE FROM demo_ql a USING demo_ql b WHERE a.quote_id = b.quote_id AND a.product_id = b.product_id AND a.line_no > b.line_no;
  ALTER TABLE demo_ql ADD COLUMN requested numeric(5,2);
  UPDATE demo_ql SET requested = least(
           schedule_discount + CASE WHEN u_fate < 0.84 THEN 1 + floor(channel.det_random(s, 659, quote_id) * 4)
                                    WHEN u_fate < 0.94 THEN 6 + floor(channel.det_random(s, 659, quote_id) * 9)
                                    ELSE 16 + floor(channel.det_random(s, 659, quote_id) * 9) END,
           floor(100 * (1 - floor_price / nullif(list_price, 0)) * 100) / 100, 100)
  WHERE u_fate >= 0.75 AND line_no = (SELECT min(x.line_no) FROM demo_ql x WHERE x.quote_id = demo_ql.quote_id);
  UPDATE demo_ql SET requested = NULL WHERE requested <= schedule_discount;

  INSERT INTO channel.quote_line (quote_id, revision, line_no, partner_id, product_id, sku, quantity, list_price,
                                  schedule_discount, requested_discount, net_price, line_total)
  SELECT l.quote_id, 1, row_number() OVER (PARTITION BY l.quote_id ORDER BY l.line_no), l.partner_id, l.product_id, l.sku,
         l.quantity, l.list_price, l.schedule_discount, l.requested,
         x.net, x.net * l.quantity
  FROM demo_ql l JOIN channel.currency cu ON cu.code = l.currency
  CROSS JOIN LATERAL (SELECT round(l.list_price * (100 - coalesce(l.requested, l.schedule_discount)) / 100, cu.minor_units) AS net) x;
  -- the totals, through the trigger that copies them to the registrations
  PERFORM channel.quote_retotal(q.quote_id) FROM demo_q q ORDER BY q.quote_id;

  -- special pricing: the requests of the quotes above schedule
  CREATE TEMP TABLE demo_req ON COMMIT DROP AS
  SELECT q.quote_id, q.partner_id, q.u_close, q.pending, q.quoted_on, x.extra, lv.level, lv.response_time,
         q.quoted_on + time '09:30' + interval '6 hours' * channel.det_random(s, 660, q.quote_id) AS requested_at,
         -- hours to a decision: most within the response time, some after it (then one level up decides)
         interval '1 hour' * (0.5 + 60 * power(channel.det_random(s, 661, q.quote_id), 2)) AS took
  FROM demo_q q
  JOIN (SELECT l.quote_id, max(l.requested - l.schedule_discount) AS extra FROM demo_ql l WHERE l.requested IS NOT NULL
        GROUP BY l.quote_id) x ON x.quote_id = q.quote_id
  CROSS JOIN LATERAL (SELECT a.level, a.response_time FROM channel.approval_level a
                      WHERE a.max_extra_points >= x.extra OR a.max_extra_points IS NULL ORDER BY a.level LIMIT 1) lv;
  UPDATE demo_req SET requested_at = least(requested_at, t0 - interval '1 hour');
  -- no decision in the future: what would be decided after t0 is still pending
  UPDATE demo_req SET pending = true WHERE requested_at + took > t0;

  INSERT INTO channel.pricing_request (quote_id, revision, partner_id, extra_points, required_level, current_level, status,
                                       requested_by, requested_at, due_at, escalations, decided_by, decided_at, decision_note)
  SELECT r.quote_id, 1, r.partner_id, r.extra, r.level,
         CASE WHEN NOT r.pending AND r.took > r.response_time AND nxt.level IS NOT NULL THEN nxt.level ELSE r.level END,
         CASE WHEN r.pending THEN 'pending' WHEN r.u_close >= 0.85 THEN 'rejected' ELSE 'approved' END
           ::channel.pricing_request_status,
         'demo', r.requested_at, r.requested_at + r.response_time, 0,
         CASE WHEN NOT r.pending THEN 'channel_admin' END, CASE WHEN NOT r.pending THEN r.requested_at + r.took END,
         CASE WHEN NOT r.pending AND r.u_close >= 0.85 THEN 'below target margin' END
  FROM demo_req r
  LEFT JOIN LATERAL (SELECT a.level FROM channel.approval_level a WHERE a.level > r.level ORDER BY a.level LIMIT 1) nxt ON true;
  UPDATE channel.pricing_request r SET escalations = r.current_level - r.required_level
  WHERE r.quote_id IN (SELECT quote_id FROM demo_q);
  INSERT INTO channel.pricing_decision (request_id, partner_id, at, actor, action, level, note)
  SELECT r.request_id, r.partner_id, e.at, e.actor, e.action, e.level, e.note
  FROM channel.pricing_request r
  CROSS JOIN LATERAL (
    SELECT 1 AS ord, r.requested_at AS at, r.requested_by AS actor, 'requested' AS action, r.required_level AS level,
           format('%s points above schedule', r.extra_points) AS note
    UNION ALL
    SELECT 2, r.requested_at + a.response_time, 'channel_admin', 'escalated', r.current_level, 'not answered in time'
    FROM channel.approval_level a WHERE a.level = r.required_level AND r.current_level > r.required_level
    UNION ALL
    SELECT 3, r.decided_at, r.decided_by, r.status::text, r.current_level, r.decision_note WHERE r.decided_at IS NOT NULL
  ) e
  WHERE r.quote_id IN (SELECT quote_id FROM demo_q)
  ORDER BY r.request_id, e.ord;

  -- the quotes' fates: within the schedule approved at submission, above it
  -- as their request went; then some accepted or lost, the old ones expired
  UPDATE channel.quote q
  SET status = CASE WHEN r.status = 'pending' THEN 'submitted' WHEN r.status = 'rejected' THEN 'draft' ELSE 'approved' END
               ::channel.quote_status,
      submitted_at = CASE WHEN r.status = 'rejected' THEN NULL ELSE coalesce(r.requested_at, q.created_at + interval '30 minutes') END,
      decided_at = CASE WHEN r.status IS NULL THEN q.created_at + interval '30 minutes' WHEN r.status = 'approved' THEN r.decided_at END,
      status_reason = CASE WHEN r.status = 'rejected' THEN 'special pricing rejected: below target margin' END
  FROM demo_q d LEFT JOIN channel.pricing_request r ON r.quote_id = d.quote_id
  WHERE q.quote_id = d.quote_id;
  UPDATE channel.quote q
  SET status = CASE WHEN d.u_close < 0.45 THEN 'accepted' ELSE 'lost' END::channel.quote_status,
      closed_at = least(t0, greatest(q.decided_at, q.created_at) + interval '1 day' * (1 + floor(20 * channel.det_random(s, 662, q.quote_id)))),
      status_reason = CASE WHEN d.u_close >= 0.45 THEN 'customer chose a competitor' END
  FROM demo_q d
  WHERE q.quote_id = d.quote_id AND q.status = 'approved' AND d.u_close < 0.6 AND q.quoted_on + 20 < as_of;
  -- an accepted quote wins its (approved) registration, at the quote's total; a lost one loses it half the time
  UPDATE channel.deal dl
  SET status = CASE WHEN q.status = 'accepted' THEN 'won' ELSE 'lost' END::channel.deal_status,
      closed_at = greatest(q.closed_at, dl.submitted_at),
      status_reason = CASE WHEN q.status = 'accepted' THEN 'won' ELSE 'lost' END
  FROM channel.quote q JOIN demo_q d ON d.quote_id = q.quote_id
  WHERE dl.deal_id = q.deal_id AND dl.status = 'approved'
    AND (q.status = 'accepted' OR (q.status = 'lost' AND d.u_close >= 0.52));
  PERFORM channel.expire_quotes(as_of);

  RETURN QUERY
    SELECT x.item, x.how_many FROM (
      SELECT 1 AS ord, 'price lists'::text AS item, count(*) AS how_many FROM channel.price_list
      UNION ALL SELECT 2, 'list prices', count(*) FROM channel.price_list_item
      UNION ALL SELECT 3, 'discount schedule rows', count(*) FROM channel.discount_schedule
      UNION ALL SELECT 4, 'quotes', count(*) FROM demo_q
      UNION ALL SELECT 5, 'quote lines', count(*) FROM channel.quote_line WHERE quote_id IN (SELECT quote_id FROM demo_q)
      UNION ALL SELECT 6, 'special pricing requests', count(*) FROM channel.pricing_request WHERE quote_id IN (SELECT quote_id FROM demo_q)
      UNION ALL SELECT 7, 'of them pending', count(*) FROM channel.pricing_request
                 WHERE quote_id IN (SELECT quote_id FROM demo_q) AND status = 'pending'
    ) x ORDER BY x.ord;
END
$fn$;
COMMENT ON FUNCTION channel.demo_deal_desk(integer, integer, date) IS
  'Demo data (test/demo.d/65_deal_desk.sql): price lists in USD, EUR, GBP and JPY, discount schedules by tier, line and programme, three approval levels, and up to quotes quotes on live registrations with their lines, special pricing requests (decided, escalated or pending) and audit. Vendor only; deterministic for seed and as_of. Returns what it made.';
REVOKE EXECUTE ON FUNCTION channel.demo_deal_desk(integer, integer, date) FROM PUBLIC;
