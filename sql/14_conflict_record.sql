-- 14_conflict_record: a registration that collides with several live ones
-- records every pair in one statement: the rows in the other registrations'
-- deal_id order, one conflict.detected event per pair, in conflict_id order.
-- Runs in a transaction rolled back at the end.
BEGIN;
INSERT INTO channel.product_line (code, name, protection_days) VALUES ('REC_LINE', 'Recording line', 60);
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (5401, 'Rec Alpha', 'active', 'DE'), (5402, 'Rec Beta', 'active', 'DE'), (5403, 'Rec Gamma', 'active', 'DE');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5401, 'Kestrel Optik GmbH', 'DE', 'REC_LINE', 1000, current_date + 30) RETURNING deal_id AS first_id \gset
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5402, 'Kestrel Optics', 'DE', 'REC_LINE', 1000, current_date + 30) RETURNING deal_id AS second_id \gset
SELECT coalesce(max(event_id), 0) AS events_before FROM channel.change_event \gset
-- (the second was flagged against the first when registered, one pair)
-- the third partner's registration meets both: two pairs, in one statement
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (5403, 'KESTREL OPTIK', 'DE', 'REC_LINE', 1000, current_date + 30) RETURNING deal_id AS third_id, status \gset
SELECT :'status' AS third_status;
SELECT deal_id = :third_id AS is_third,
       CASE other_deal_id WHEN :first_id THEN 'first' WHEN :second_id THEN 'second' END AS other,
       match_kind, round(score::numeric, 2) AS score,
       rank() OVER (ORDER BY conflict_id) AS recorded
FROM channel.deal_conflict WHERE deal_id IN (:first_id, :second_id, :third_id) ORDER BY conflict_id;
-- one event per pair, naming the pair, in the order the pairs were recorded
SELECT e.event_type, (e.payload->>'deal_id')::bigint = :third_id AS names_third,
       CASE (e.payload->>'other_deal_id')::bigint WHEN :first_id THEN 'first' WHEN :second_id THEN 'second' END AS other,
       e.entity_id = c.conflict_id AS names_its_row
FROM channel.change_event e JOIN channel.deal_conflict c ON c.conflict_id = e.entity_id
WHERE e.event_id > :events_before AND e.event_type = 'conflict.detected'
ORDER BY e.event_id;
ROLLBACK;
