-- 74_feed_payload: the change feed's payloads are built by
-- channel.feed_payload() (src/feed_payload.c) instead of jsonb_build_object().
-- They must be the same jsonb, byte for byte: first for every kind of value
-- one by one (NULLs, integers, money, NaN and infinities, reals, text
-- needing escapes, unicode, enums, domains, dates and times, booleans,
-- repeated and non-constant keys), then for every event the feed's
-- triggers write: a reference copy of each trigger function, with
-- jsonb_build_object() put back, runs beside the real one on the same
-- statements, and every event must come out equal.  Dates are relative to
-- today; runs in a transaction that is rolled back.
\set VERBOSITY terse
\set SHOW_CONTEXT never
BEGIN;
SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0 \gset

-- ---- part 1: one value at a time
CREATE TEMP TABLE payload_case (label text, built jsonb, reference jsonb);
INSERT INTO payload_case
SELECT label, channel.feed_payload('v', 1, 'x', x), jsonb_build_object('v', 1, 'x', x)
FROM (VALUES ('int2', 7::smallint::text), ('int2 negative', (-32768)::smallint::text)) s(label, t),
     LATERAL (SELECT t::smallint AS x) v;
INSERT INTO payload_case SELECT 'int4 ' || x, channel.feed_payload('k', x), jsonb_build_object('k', x)
FROM unnest(ARRAY[0, -1, 2147483647, -2147483648, NULL]) x;
INSERT INTO payload_case SELECT 'int8 ' || coalesce(x::text, 'NULL'), channel.feed_payload('id', x, 'v', 1), jsonb_build_object('id', x, 'v', 1)
FROM unnest(ARRAY[0, 10, 1000000, 9223372036854775807, -9223372036854775808, NULL]::bigint[]) x;
INSERT INTO payload_case SELECT 'numeric ' || coalesce(x::text, 'NULL'), channel.feed_payload('amount', x, 'currency', 'EUR'::channel.currency_code),
       jsonb_build_object('amount', x, 'currency', 'EUR'::channel.currency_code)
FROM unnest(ARRAY['1234.50', '0.00', '-0.01', '1000', '1e20', '0.000000001', '123456789012345678901234567890.123456789',
                  'NaN', 'Infinity', '-Infinity', NULL]::numeric[]) x;
INSERT INTO payload_case SELECT 'numeric(16,2) ' || x, channel.feed_payload('amount', x), jsonb_build_object('amount', x)
FROM (SELECT x::numeric(16,2) AS x FROM unnest(ARRAY['1234.5', '7', '99.999']) x) s;
INSERT INTO payload_case SELECT 'real ' || coalesce(x::text, 'NULL'), channel.feed_payload('score', x), jsonb_build_object('score', x)
FROM unnest(ARRAY['42.5', '0', '-1.25e-7', '3.4e38', 'NaN', 'Infinity', '-Infinity', NULL]::real[]) x;
INSERT INTO payload_case SELECT 'float8 ' || x, channel.feed_payload('f', x), jsonb_build_object('f', x)
FROM unnest(ARRAY['0.1', '1e300', 'NaN']::float8[]) x;
INSERT INTO payload_case SELECT 'text ' || n, channel.feed_payload('name', x, 'v', 1), jsonb_build_object('name', x, 'v', 1)
FROM unnest(ARRAY[E'Société "Générale" \\ 株式会社 😀', E'tab\there\nnewline\rreturn', E'\u0001\u001f control', '', ' ',
                  'Ünïcødé ñ ß Ω Я ע ع ह 한', 'plain', NULL]) WITH ORDINALITY u(x, n);
INSERT INTO payload_case SELECT 'varchar and domains', channel.feed_payload('a', 'x'::varchar, 'b', 'FR'::channel.country_code, 'c', 'USD'::channel.currency_code),
       jsonb_build_object('a', 'x'::varchar, 'b', 'FR'::channel.country_code, 'c', 'USD'::channel.currency_code);
INSERT INTO payload_case SELECT 'enum ' || x, channel.feed_payload('status', x), jsonb_build_object('status', x)
FROM unnest(enum_range(NULL::channel.deal_status)) x;
INSERT INTO payload_case SELECT 'date ' || n, channel.feed_payload('d', x), jsonb_build_object('d', x)
FROM unnest(ARRAY[:'today'::date, :'today'::date - 36500, 'infinity', '-infinity', NULL]::date[]) WITH ORDINALITY u(x, n);
INSERT INTO payload_case SELECT 'timestamptz ' || n, channel.feed_payload('at', x), jsonb_build_object('at', x)
FROM unnest(ARRAY[now(), :'today'::date + time '23:59:59.999999', 'infinity', NULL]::timestamptz[]) WITH ORDINALITY u(x, n);
INSERT INTO payload_case SELECT 'timestamp', channel.feed_payload('at', localtimestamp), jsonb_build_object('at', localtimestamp);
INSERT INTO payload_case SELECT 'bool ' || coalesce(x::text, 'NULL'), channel.feed_payload('ok', x), jsonb_build_object('ok', x)
FROM unnest(ARRAY[true, false, NULL]) x;
-- keys: sorted as jsonb sorts them (shorter first), the last of a repeated key wins,
-- keys that are not constants, keys of other types
INSERT INTO payload_case VALUES
  ('key order', channel.feed_payload('zz', 1, 'a', 2, 'reason', 3, 'b', 4, 'from', 5, 'to', 6),
                jsonb_build_object('zz', 1, 'a', 2, 'reason', 3, 'b', 4, 'from', 5, 'to', 6)),
  ('repeated key', channel.feed_payload('a', 1, 'b', 2, 'a', 3), jsonb_build_object('a', 1, 'b', 2, 'a', 3)),
  ('unicode keys', channel.feed_payload('ключ', 1, '😀', 2, 'é', 3), jsonb_build_object('ключ', 1, '😀', 2, 'é', 3)),
  ('key types', channel.feed_payload(1, 'one', 2.5, 'x', true, 'y', date '2024-02-29', 'z'),
                jsonb_build_object(1, 'one', 2.5, 'x', true, 'y', date '2024-02-29', 'z'));
INSERT INTO payload_case SELECT 'key from a column ' || k, channel.feed_payload(k, n, 'v', 1), jsonb_build_object(k, n, 'v', 1)
FROM (VALUES ('b', 1), ('a', 2), ('v', 3), ('long key', 4)) s(k, n);
-- equal as values, as text and as bytes (jsonb_send: header, offsets, numerics' scales)
SELECT count(*) AS cases,
       count(*) FILTER (WHERE built IS DISTINCT FROM reference) AS unequal,
       count(*) FILTER (WHERE built::text IS DISTINCT FROM reference::text) AS text_differs,
       count(*) FILTER (WHERE jsonb_send(built) IS DISTINCT FROM jsonb_send(reference)) AS bytes_differ
FROM payload_case;
SELECT label, built FROM payload_case
WHERE label IN ('numeric 1234.50', 'numeric NaN', 'numeric(16,2) 7', 'real NaN', 'text 1', 'text 2', 'text 3', 'int8 NULL',
                'enum conflict', 'date 3', 'key order', 'repeated key', 'unicode keys', 'key types')
ORDER BY label;
ROLLBACK;
-- what it refuses: arrays, composites, json; VARIADIC arrays; odd argument lists; NULL keys
SELECT channel.feed_payload('a', ARRAY[1]);
SELECT channel.feed_payload('a', ROW(1, 2));
SELECT channel.feed_payload('a', '{}'::jsonb);
SELECT channel.feed_payload(VARIADIC ARRAY['a', 'b']);
SELECT channel.feed_payload('a', 1, 'b');
SELECT channel.feed_payload(NULL::text, 1);

-- ---- part 2: every event the triggers write, against jsonb_build_object:
-- every statement of channel.feed_event() (each table's insert and update)
-- and the leakage row trigger run at least once
BEGIN;
SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0 \gset
SELECT coalesce(max(event_id), 0) AS e0 FROM channel.change_event \gset
CREATE TABLE public.regress_ref_event (ref_id bigint GENERATED ALWAYS AS IDENTITY, event_type text, entity text,
                                       entity_id bigint, partner_id bigint, payload jsonb);
-- the reference functions: the feed's own, writing into regress_ref_event
-- with jsonb_build_object() (what the payloads were built with before)
DO $$
DECLARE
  f record;
  t record;
  src text;
BEGIN
  FOR f IN SELECT p.oid, p.proname FROM pg_proc p
           WHERE p.oid IN ('channel.feed_event()'::regprocedure, 'channel.feed_sell_through()'::regprocedure)
  LOOP
    src := replace(replace(pg_get_functiondef(f.oid), 'channel.feed_payload(', 'pg_catalog.jsonb_build_object('),
                   'INSERT INTO channel.change_event (', 'INSERT INTO public.regress_ref_event (');
    src := replace(src, 'FUNCTION channel.' || f.proname || '()', 'FUNCTION public.regress_ref_' || f.proname || '()');
    IF src LIKE '%feed_payload%' OR src NOT LIKE '%jsonb_build_object%' OR src NOT LIKE '%regress_ref_event%' THEN
      RAISE EXCEPTION 'reference copy of % not made', f.proname;
    END IF;
    EXECUTE src;
    FOR t IN SELECT tg.oid, tg.tgname FROM pg_trigger tg WHERE tg.tgfoid = f.oid LOOP
      EXECUTE replace(replace(pg_get_triggerdef(t.oid), 'TRIGGER ' || t.tgname || ' ', 'TRIGGER ' || t.tgname || '_ref '),
                      'FUNCTION channel.' || f.proname || '()', 'FUNCTION public.regress_ref_' || f.proname || '()');
    END LOOP;
  END LOOP;
END
$$;
SELECT count(*) AS reference_triggers FROM pg_trigger WHERE tgname LIKE '%\_ref' AND tgfoid::regproc::text LIKE 'regress_ref_%';

CREATE ROLE regress_payload_a;
GRANT channel_partner TO regress_payload_a;
CREATE ROLE regress_payload_mgr;
GRANT channel_admin TO regress_payload_mgr;
INSERT INTO channel.product_line (code, name) VALUES ('PL_STORE', 'Payload test storage');
-- partners: created (a name needing escapes, unicode), status and tier changed in one statement, then status
INSERT INTO channel.partner (partner_id, name, tier, status, country, created_at) VALUES
  (7401, E'Payload "Quote" \\ back\nslash Ünïcødé 株式会社 😀', 'gold', 'active', 'FR', now() - interval '400 days'),
  (7402, 'Payload Beta SARL', 'silver', 'active', 'FR', now() - interval '400 days');
INSERT INTO channel.partner_territory (partner_id, country) VALUES (7401, 'FR'), (7402, 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (7401, 'PL_STORE'), (7402, 'PL_STORE');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_payload_a', 7401);
UPDATE channel.partner SET status = 'suspended', tier = 'platinum' WHERE partner_id = 7402;
UPDATE channel.partner SET status = 'active' WHERE partner_id = 7402;
-- leads: created (a NULL score, a real one), routed, accepted, rejected, recalled, converted
INSERT INTO channel.lead (lead_id, company, country, product_line, score) VALUES
  (740011, E'Lead "ß" \\ 😀', 'FR', 'PL_STORE', NULL), (740012, 'Lead two', 'FR', 'PL_STORE', 42.5),
  (740013, 'Lead three', 'FR', 'PL_STORE', 10);
UPDATE channel.lead SET status = 'routed', partner_id = 7401, routed_at = now(), accept_by = now() + interval '2 days',
       status_reason = E'rule "x"\t😀' WHERE lead_id IN (740011, 740012, 740013);
UPDATE channel.lead SET status = 'accepted', accepted_at = now() WHERE lead_id = 740011;
UPDATE channel.lead SET status = 'rejected', reject_reason = 'no_budget' WHERE lead_id = 740012;
UPDATE channel.lead SET status = 'recalled', status_reason = 'sla_expired' WHERE lead_id = 740013;
UPDATE channel.lead SET status = 'converted', closed_at = now(), status_reason = NULL WHERE lead_id = 740011;
-- deals: registered, a second registration of the customer in conflict, the conflict
-- resolved, protection extended, won; another registered and lost
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close)
VALUES (7401, E'Payload Société "Générale" \\ 株式会社 😀', 'FR', 'PL_STORE', 1234.50, 'EUR', :'today'::date + 30)
RETURNING deal_id AS d1 \gset
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close)
VALUES (7402, E'Payload Société "Générale" \\ 株式会社 😀', 'FR', 'PL_STORE', 99.99, 'USD', :'today'::date + 40)
RETURNING deal_id AS d2 \gset
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close)
VALUES (7402, 'Payload Other Customer KG', 'FR', 'PL_STORE', 7, 'EUR', :'today'::date + 50)
RETURNING deal_id AS d3 \gset
SELECT status FROM channel.deal WHERE deal_id IN (:d1, :d2, :d3) ORDER BY deal_id;
SELECT channel.resolve_conflict(:d1);
SELECT channel.extend_deal(:d1, 30) IS NOT NULL AS extended;
SELECT channel.close_deal(:d1, true, 1500.75);
SELECT channel.approve_deal(:d3);
SELECT channel.close_deal(:d3, false);
-- funds: budget, allocation, request, approval, claim, payment
SET SESSION AUTHORIZATION regress_payload_mgr;
SELECT channel.create_fund_budget('Payload MDF', 'mdf', 'quarter', :'q0', 'USD', 10000) AS budget \gset
SELECT allocation_id AS alloc FROM channel.allocate_funds(:budget, 4000, ARRAY[7401]::bigint[]) \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_payload_a;
SELECT channel.create_fund_request(:alloc, 'webinar', E'Webinar "ß" \\ 😀', :'q0'::date + 5, :'q0'::date + 6, 1500.5, 'USD') AS req \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_payload_mgr;
SELECT channel.approve_fund_request(:req);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_payload_a;
SELECT channel.create_fund_claim(:req, 1200, 'USD', '[{"number": "INV-P1", "amount": 1200}]', ARRAY['invoice.pdf']) AS claim \gset
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_payload_mgr;
SELECT channel.approve_fund_claim(:claim);
SELECT channel.pay_fund_claim(:claim, E'PAY "1" ü') IS NOT NULL AS paid;
RESET SESSION AUTHORIZATION;
-- channel data: a report staged and published with a leakage line
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from) VALUES
  (7411, 'PL-ARR', 'PL_STORE', 'Payload array', 10000, 'EUR', :'today'::date - 400);
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (7421, 7402, 'Leaky Payload SA', 'FR', 'PL_STORE', 50000, 'EUR', :'today'::date + 30, 'approved',
   now() - interval '20 days', now() - interval '19 days', now() + interval '60 days');
SELECT channel.open_report('sell_through', 7401, E'report "ü".csv') AS batch \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country, customer_city, customer_postcode)
VALUES ('1', E'PINV-1 "ü"', to_char(:'today'::date - 5, 'YYYY-MM-DD'), 'PL-ARR', '2', '9500', 'EUR', 'Leaky Payload SA', 'FR', 'Paris', '75001'),
       ('2', 'PINV-1', to_char(:'today'::date - 5, 'YYYY-MM-DD'), 'PL-ARR', '1', '9500', 'EUR', 'Entirely New Payload', 'FR', 'Lyon', '69001');
SELECT lines_in, lines_published, lines_leakage FROM channel.ingest_sell_through(:batch);

-- every event equal to its reference, in the same order, byte for byte
CREATE TEMP TABLE got AS
SELECT row_number() OVER (ORDER BY event_id) AS n, event_type, entity, entity_id, partner_id, payload
FROM channel.change_event WHERE event_id > :e0;
CREATE TEMP TABLE want AS
SELECT row_number() OVER (ORDER BY ref_id) AS n, event_type, entity, entity_id, partner_id, payload
FROM public.regress_ref_event;
SELECT (SELECT count(*) FROM got) AS events, (SELECT count(*) FROM want) AS reference_events,
       count(*) FILTER (WHERE g.n IS NULL OR w.n IS NULL) AS unmatched,
       count(*) FILTER (WHERE (g.event_type, g.entity, g.entity_id, g.partner_id) IS DISTINCT FROM
                              (w.event_type, w.entity, w.entity_id, w.partner_id)) AS other_event,
       count(*) FILTER (WHERE g.payload::text IS DISTINCT FROM w.payload::text) AS text_differs,
       count(*) FILTER (WHERE jsonb_send(g.payload) IS DISTINCT FROM jsonb_send(w.payload)) AS bytes_differ
FROM got g FULL JOIN want w ON w.n = g.n;
-- the event types covered, with their payload keys (doc/integration.md, "Event types")
SELECT event_type, count(*) AS events, (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(min(payload::text)::jsonb) k) AS payload_keys
FROM got GROUP BY event_type ORDER BY event_type;
-- the values needing escapes and unicode arrive as written
SELECT payload->>'name' AS partner_name FROM got WHERE event_type = 'partner.created' AND entity_id = 7401;
SELECT payload->>'customer_name' AS customer, payload->'amount' AS amount, payload->>'currency' AS currency,
       payload->'reason' AS reason
FROM got WHERE event_type = 'deal.registered' AND entity_id = :d1;
SELECT entity_id, payload->'score' AS score FROM got WHERE event_type = 'lead.created' ORDER BY entity_id;
SELECT payload->>'reason' AS reason FROM got WHERE event_type = 'lead.routed' AND entity_id = 740011;
SELECT payload->>'title' AS title, payload->'planned_cost' AS planned_cost FROM got WHERE event_type = 'fund_request.created';
ROLLBACK;
