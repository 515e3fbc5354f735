-- Contracts and renewals: renewal opportunities coming due, protected for the partner that sold them
--
-- channel.demo_contracts() records what partners sold on the registrations
-- they won: support, maintenance and subscription contracts ending over the
-- coming year, and units with a warranty.  channel.make_renewals() -- the
-- daily job -- opens, for each contract and warranty within its product
-- line's renewal_lead_days of its end, an approved deal registration of the
-- selling partner, protected until renewal_grace_days after the end.
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never

SELECT * FROM channel.demo_contracts(3000, 1);

\echo 'The renewal job (channel.make_renewals): renewals opened, and other partners'' live registrations found in conflict with them'
SELECT * FROM channel.make_renewals();
\echo 'Run again: idempotent'
SELECT * FROM channel.make_renewals();

\echo 'Renewals coming due, by product line: how many, within 30 / 60 / 90 days, already past their end (in grace), expected value'
SELECT r.product_line, r.kind, count(*) AS renewals,
       count(*) FILTER (WHERE r.due_on - current_date BETWEEN 0 AND 30) AS in_30_days,
       count(*) FILTER (WHERE r.due_on - current_date BETWEEN 31 AND 60) AS in_60_days,
       count(*) FILTER (WHERE r.due_on - current_date BETWEEN 61 AND 90) AS in_90_days,
       count(*) FILTER (WHERE r.due_on < current_date) AS in_grace,
       r.currency, round(sum(r.amount)) AS expected_value
FROM channel.renewal r GROUP BY r.product_line, r.kind, r.currency ORDER BY 1, 2, r.currency;

\echo 'The next renewals due: each is a registration of the partner that sold the contract'
SELECT r.due_on - current_date AS due_in_days, r.kind, p.name AS partner, d.customer_name, d.customer_country AS country,
       d.product_line, d.amount, d.currency, d.status,
       (d.protected_until AT TIME ZONE 'UTC')::date - r.due_on AS protected_days_after_end
FROM channel.renewal r JOIN channel.deal d USING (deal_id) JOIN channel.partner p ON p.partner_id = r.partner_id
WHERE r.due_on >= current_date
ORDER BY r.due_on, r.renewal_id LIMIT 8;

\echo 'A rival registers the customer of a renewal: it is a conflict, for the channel manager to settle'
SELECT d.deal_id AS renewal_deal, d.customer_name, d.customer_country, d.product_line, rival.partner_id AS rival
FROM channel.renewal r JOIN channel.deal d USING (deal_id)
CROSS JOIN LATERAL (SELECT p.partner_id FROM channel.partner p
                    JOIN channel.partner_product pp ON pp.partner_id = p.partner_id AND pp.product_line = d.product_line
                    WHERE p.status = 'active' AND p.partner_id <> d.partner_id AND p.country = d.customer_country
                    ORDER BY p.partner_id LIMIT 1) rival
WHERE d.status = 'approved' AND r.kind = 'contract' AND r.due_on > current_date + 10
ORDER BY r.due_on, r.renewal_id LIMIT 1 \gset
SELECT channel.register_deal(:rival, :'customer_name', :'customer_country', :'product_line', 10000, current_date + 10) AS rival_deal \gset
SELECT deal_id = :rival_deal AS rivals, partner_id, customer_name, status, status_reason
FROM channel.deal WHERE deal_id IN (:rival_deal, :renewal_deal) ORDER BY deal_id = :rival_deal;

\echo 'Renewals at risk (channel.renewals_at_risk): open, within the line''s renewal_risk_days of the end or past it, and no current quote'
SELECT product_line, currency, count(*) AS at_risk, count(*) FILTER (WHERE days_left < 0) AS past_their_end,
       round(sum(amount)) AS value_at_risk
FROM channel.renewals_at_risk() GROUP BY product_line, currency ORDER BY product_line, currency;
SELECT days_left, kind, partner_name, customer_name, product_line, amount, currency, deal_status, last_quote_status
FROM channel.renewals_at_risk() ORDER BY days_left, renewal_id LIMIT 6;

\echo 'Renewals decided so far (the demo closes those past their end: 3 in 5 renewed, 1 in 5 lost)'
SELECT count(*) FILTER (WHERE outcome = 'won') AS renewed, count(*) FILTER (WHERE outcome = 'lost') AS lost
FROM (SELECT CASE WHEN channel.det_random(1, 320, r.renewal_id) < 0.6 THEN 'won'
                  WHEN channel.det_random(1, 320, r.renewal_id) < 0.8 THEN 'lost' END AS outcome,
             channel.close_deal(r.deal_id, channel.det_random(1, 320, r.renewal_id) < 0.6)
      FROM channel.renewal r JOIN channel.deal d USING (deal_id)
      WHERE r.due_on < current_date AND d.status = 'approved' AND channel.det_random(1, 320, r.renewal_id) < 0.8) closed;

\echo 'Renewal rate per product line, summed over the partners of channel.renewal_rate() (renewals due in the last 30 days)'
SELECT product_line, sum(due) AS due, sum(renewed) AS renewed, sum(lost) AS lost, sum(open) AS open,
       round(sum(renewed) / sum(due), 2) AS renewal_rate
FROM channel.renewal_rate(current_date - 30, current_date - 1) GROUP BY product_line ORDER BY product_line;
\echo 'The partners with the most renewals decided'
SELECT partner_id, partner_name, product_line, due, renewed, lost, open, round(renewal_rate::numeric, 2) AS renewal_rate
FROM channel.renewal_rate(current_date - 30, current_date - 1)
ORDER BY renewed + lost DESC, renewed DESC, partner_id, product_line LIMIT 6;
