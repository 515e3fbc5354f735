-- 0.2.0 (issue 21): 0.1.0's registrations and leads get their end customers
-- (channel.deal.end_customer_id, channel.lead.end_customer_id, added by
-- 61_sales_accounts.sql), each distinct spelling resolved once.  After
-- 97_validate_constraints.sql: updating a row re-checks every constraint,
-- the NOT VALID ones too, so a row 0.2.0 refuses must stop the update there,
-- with its clear message, and not here.
SELECT * FROM channel.link_end_customers();
