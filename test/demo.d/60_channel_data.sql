-- Channel data: partners' sell-through reports, validated, matched to end customers and registrations
--
-- channel.demo_channel_data() adds a catalogue and distributors' part
-- numbers and stages one sell-through report per reporting partner: sales
-- closing live registrations, sales to customers another partner registered,
-- sales nobody registered, 2% bad lines, customers spelled the ways partners
-- spell them.  The reports are ingested as a nightly job would: the staged
-- ones 250 at a time, each call one transaction.
\set ON_ERROR_STOP 1

SELECT * FROM channel.demo_channel_data(5000, 1);

\echo 'Ingesting every staged sell-through report (channel.ingest_sell_through_batches, 250 per transaction)'
\o /dev/null
SELECT format('SELECT count(*) FROM channel.ingest_sell_through_batches(%L)', pg_catalog.array_agg(batch_id ORDER BY batch_id))
FROM (SELECT batch_id, (row_number() OVER (ORDER BY batch_id) - 1) / 250 AS k FROM channel.report_batch
      WHERE kind = 'sell_through' AND status = 'staged') b
GROUP BY k ORDER BY k \gexec
SELECT format('SELECT channel.ingest_inventory(%s)', batch_id) FROM channel.report_batch
WHERE kind = 'inventory' AND status = 'staged' ORDER BY batch_id \gexec
\o

\echo 'Batch summary: nothing lost (lines in = published + rejected)'
SELECT kind, count(*) AS batches, sum(lines_in) AS lines_in, sum(lines_published) AS published,
       sum(lines_rejected) AS rejected, sum(lines_duplicate) AS duplicates,
       bool_and(lines_in = lines_published + lines_rejected) AS nothing_lost
FROM channel.report_batch GROUP BY kind ORDER BY kind;

\echo 'Rejected lines by reason'
SELECT j.reason, count(*) AS lines, min(j.detail) AS example
FROM channel.report_reject j JOIN channel.report_batch b USING (batch_id)
WHERE b.kind = 'sell_through' GROUP BY 1 ORDER BY 2 DESC, 1;

\echo 'End customers: spellings matched to one customer'
SELECT e.name AS end_customer, e.country, count(*) AS spellings, string_agg(a.name, ' | ' ORDER BY a.name) AS seen_as
FROM channel.end_customer e JOIN channel.end_customer_alias a USING (end_customer_id)
GROUP BY e.end_customer_id, e.name, e.country HAVING count(*) >= 3
ORDER BY count(*) DESC, e.end_customer_id LIMIT 8;

\echo 'Closed loop: registrations the sales marked won'
SELECT count(*) AS registrations_won, round(sum(amount)) AS won_amount
FROM channel.deal WHERE status_reason LIKE 'won through sell-through%';

\echo 'Closed loop per partner (top 10 by revenue): registered, leakage, unregistered'
SELECT partner_id, left(partner_name, 30) AS partner, currency, lines, revenue, registered_lines,
       leakage_lines, unregistered_lines, round(registered_share::numeric, 2) AS registered_share
FROM channel.sell_through_closed_loop(current_date - 120, current_date)
ORDER BY revenue DESC LIMIT 10;

\echo 'Channel leakage: sales to customers another partner registered (top 8)'
SELECT seller_id, registrant_id, deal_id, left(customer_name, 30) AS customer, product_line, lines, revenue
FROM channel.channel_leakage(current_date - 120, current_date) LIMIT 8;

\echo 'Unregistered sales: the registrations the channel should have had (top 8)'
SELECT partner_id, left(customer_name, 34) AS customer, customer_country, product_line, lines, revenue
FROM channel.unregistered_sales(current_date - 120, current_date) LIMIT 8;

\echo 'Matching accuracy against the generator''s truth'
WITH m AS (
  SELECT t.kind, t.deal_id AS truth_deal, coalesce(f.deal_id, f.leakage_deal_id) AS found_deal
  FROM channel.demo_sell_through_truth t
  JOIN channel.sell_through f ON f.batch_id = t.batch_id AND f.row_no = t.row_no
  WHERE t.kind <> 'bad')
SELECT count(*) AS lines, count(found_deal) AS registration_found, count(truth_deal) AS truly_registered,
       count(*) FILTER (WHERE found_deal = truth_deal) AS same_registration,
       round(count(*) FILTER (WHERE found_deal = truth_deal)::numeric / nullif(count(found_deal), 0), 3) AS precision_same_deal,
       round(count(*) FILTER (WHERE found_deal = truth_deal)::numeric / nullif(count(truth_deal), 0), 3) AS recall_same_deal
FROM m;

\echo 'Inventory: weeks of supply (lowest 8) and partners whose reports are stale'
SELECT partner_id, sku, position_date, quantity_on_hand, units_sold, round(weeks_of_supply::numeric, 1) AS weeks_of_supply
FROM channel.inventory_latest() WHERE weeks_of_supply IS NOT NULL ORDER BY weeks_of_supply, partner_id LIMIT 8;
SELECT kind, count(*) AS stale_reporters FROM channel.stale_reporters(14) GROUP BY kind ORDER BY kind;
