-- End customers as accounts: registrations, leads and sell-through share one
-- end-customer master, the rollup counts what partners sold, and a new lead
-- goes to the partner that already holds its customer (channel.account_routing)
\set ON_ERROR_STOP 1

\echo 'Registrations and leads matched to end customers (end_customer_id)'
SELECT (SELECT count(*) FROM channel.end_customer) AS end_customers,
       (SELECT count(end_customer_id) FROM channel.deal) AS deals_linked, (SELECT count(*) FROM channel.deal) AS deals,
       (SELECT count(end_customer_id) FROM channel.lead) AS leads_linked, (SELECT count(*) FROM channel.lead) AS leads;

\echo 'Sell-through in the rollup: the partners that sold most in the scorecard''s 12 months'
CALL channel.refresh_rollups();
SELECT partner_id, left(partner_name, 30) AS partner, sell_through_lines, sell_through_units, sell_through_revenue,
       revenue AS won_revenue
FROM channel.partner_scorecard() ORDER BY sell_through_revenue DESC, partner_id LIMIT 8;

\echo 'Account-centric routing: new leads of customers partners already hold (rolled back)'
BEGIN;
INSERT INTO channel.lead (company, country, product_line, score)
SELECT d.customer_name, d.customer_country, d.product_line, 30
FROM channel.deal d JOIN channel.partner p USING (partner_id)
WHERE d.status IN ('submitted', 'approved') AND p.kind <> 'distributor' AND p.status = 'active'
ORDER BY d.deal_id DESC LIMIT 200;
SELECT count(*) AS routed FROM channel.route_leads();
SELECT CASE WHEN status_reason LIKE '%account holder%' THEN 'to the account holder' ELSE 'by fit' END AS routed,
       count(*) AS leads
FROM channel.lead WHERE status = 'routed' AND routed_at = now() GROUP BY 1 ORDER BY 1;
ROLLBACK;
