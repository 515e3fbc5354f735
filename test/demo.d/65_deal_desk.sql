-- Deal desk: price lists, partner net prices, quotes on registrations, special pricing that escalates
--
-- channel.demo_deal_desk() adds price lists in four currencies, discount
-- schedules by tier, line and programme, three approval levels and quotes
-- on live registrations (within the schedule, above it, decided, pending).
-- Then one partner's quote asks for more than any manager may grant, is
-- submitted, is not answered in time, escalates (a change-feed event for
-- the next level) and is approved there; the margin floor refuses a deeper
-- discount outright.
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never

\echo 'Generating the demo deal desk (channel.demo_deal_desk())'
SELECT * FROM channel.demo_deal_desk(2000, 1);

\echo 'A gold partner''s net prices on its first SKUs today (channel.net_price(), cached per backend) next to the list price'
SELECT p.partner_id, p.tier, pr.sku, channel.list_price(pr.sku, current_date, 'USD') AS list_usd,
       channel.schedule_discount(p.partner_id, pr.sku, current_date) AS discount_pct,
       channel.net_price(p.partner_id, pr.sku, current_date, 'USD') AS net_usd,
       channel.net_price(p.partner_id, pr.sku, current_date, 'EUR') AS net_eur
FROM (SELECT partner_id, tier FROM channel.partner WHERE tier = 'gold' AND status = 'active' ORDER BY partner_id LIMIT 1) p
CROSS JOIN (SELECT sku FROM channel.product WHERE active_until IS NULL ORDER BY sku LIMIT 4) pr;

\echo 'Quotes by status, and the registrations whose amount is now their quote''s total'
SELECT status, currency, count(*) AS quotes, round(sum(total)) AS total FROM channel.quote GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS registrations_quoted, count(*) FILTER (WHERE d.amount = round(q.total, 2)) AS amount_is_a_quote_total
FROM channel.deal d JOIN LATERAL (SELECT x.total FROM channel.quote x WHERE x.deal_id = d.deal_id ORDER BY x.quote_id DESC LIMIT 1) q ON true;

\echo 'Pending requests already overdue: the escalation job passes them to the next level (as pg_cron would)'
SELECT channel.escalate_pricing_requests() AS escalated_now;
SELECT current_level, count(*) AS pending FROM channel.pricing_request WHERE status = 'pending' GROUP BY 1 ORDER BY 1;

\echo 'One quote end to end: 28 points above schedule on an approved registration'
SELECT d.deal_id, d.partner_id, d.product_line, p.sku
FROM channel.deal d
JOIN LATERAL (SELECT pr.sku FROM channel.product pr JOIN channel.price_list_item i ON i.product_id = pr.product_id
              AND i.price_list_id = channel.price_list_in_force('USD', current_date)
              WHERE pr.product_line = d.product_line AND pr.active_until IS NULL
                AND i.unit_cost * (1 + i.floor_pct / 100) < i.unit_price * 0.55
              ORDER BY pr.sku LIMIT 1) p ON true
WHERE d.status = 'approved' AND d.partner_id IS NOT NULL
  AND channel.schedule_discount(d.partner_id, p.sku, current_date) <= 15
ORDER BY d.deal_id LIMIT 1 \gset
SELECT channel.create_quote(:deal_id, 'USD', current_date + 30) AS quote_id \gset
SELECT channel.add_quote_line(:quote_id, :'sku', 25,
                              channel.schedule_discount(:partner_id, :'sku', current_date) + 28) AS line_no;
SELECT line_no, sku, quantity, list_price, schedule_discount, requested_discount, net_price, line_total
FROM channel.quote_line WHERE quote_id = :quote_id;
\echo 'Submitting it: above every manager''s limit, the request goes to the VP level (3)'
SELECT channel.submit_quote(:quote_id) AS outcome;
SELECT request_id, extra_points, required_level, current_level, status FROM channel.pricing_request WHERE quote_id = :quote_id \gset
SELECT :request_id AS request_id, :extra_points AS extra_points, :required_level AS level, :'status' AS status;
\echo 'Asked one level lower instead (+10 points); run as if nobody answered for two days, the job passes it on (with the other requests due by then)'
SELECT channel.revise_quote(:quote_id) AS revision;
SELECT channel.remove_quote_line(:quote_id, 1);
SELECT channel.add_quote_line(:quote_id, :'sku', 25, channel.schedule_discount(:partner_id, :'sku', current_date) + 10) AS line_no;
SELECT channel.submit_quote(:quote_id) AS outcome;
SELECT request_id, required_level FROM channel.pricing_request WHERE quote_id = :quote_id AND status = 'pending' \gset
SELECT channel.escalate_pricing_requests(now() + interval '2 days 1 hour') AS escalated;
SELECT request_id, required_level, current_level, escalations, status FROM channel.pricing_request WHERE request_id = :request_id;
SELECT event_type, payload->'recipient' AS recipient, payload->>'message' AS message
FROM channel.change_event WHERE event_type = 'notification.pricing_escalated' AND entity_id = :request_id;
\echo 'The VP level approves it (as another role than the requester''s); the audit of the request'
CREATE ROLE demo_vp_sales IN ROLE channel_admin;
SET SESSION AUTHORIZATION demo_vp_sales;
SELECT channel.approve_pricing_request(:request_id, 'strategic account');
RESET SESSION AUTHORIZATION;
DROP ROLE demo_vp_sales;
SELECT action, actor, level, note FROM channel.pricing_decision WHERE request_id = :request_id ORDER BY decision_id;
SELECT quote_id, revision, status, total FROM channel.quote WHERE quote_id = :quote_id;
SELECT deal_id, amount, currency FROM channel.deal WHERE deal_id = :deal_id;
\echo 'And a discount below the margin floor is refused outright, before any approver sees it'
SELECT channel.revise_quote(:quote_id) AS revision;
SELECT channel.add_quote_line(:quote_id, :'sku', 1, 80) AS line_no;
\set ON_ERROR_STOP 0
SELECT channel.submit_quote(:quote_id);
\set ON_ERROR_STOP 1

\echo 'Who discounts most (channel.discount_vs_schedule), the five partners with the most extra points in USD'
SELECT partner_id, quotes, lines, list_value, schedule_pct, given_pct, extra_points, lines_above_schedule, rank_in_currency
FROM channel.discount_vs_schedule() WHERE currency = 'USD' ORDER BY rank_in_currency, partner_id LIMIT 5;
\echo 'Approval times per level (channel.approval_times)'
SELECT * FROM channel.approval_times();
\echo 'Quote-to-win (channel.quote_to_win), the channel as a whole'
SELECT sum(quotes) AS quotes, sum(accepted) AS accepted, sum(lost) AS lost, sum(expired) AS expired, sum(open) AS open,
       sum(deals_quoted) AS deals_quoted, sum(deals_won) AS deals_won,
       round(100.0 * sum(accepted) / nullif(sum(accepted + lost + expired), 0), 1) AS acceptance_pct
FROM channel.quote_to_win();
