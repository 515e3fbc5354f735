-- 08_input_rules: what hostile and careless input may not do (issue 27):
-- NaN money, infinite and absurd dates, unbounded windows, a scoring rule
-- the loader cannot read, TRUNCATE of shipped rows, forged match keys,
-- stamps older than the stamp they follow, invisible "names", misleading
-- errors.  Dates are relative to one today; everything runs in one
-- transaction that is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- each statement that fails is rolled back alone (psql savepoints)
\set ON_ERROR_ROLLBACK on
SELECT current_date AS today \gset
-- deal ids in messages below start at 8401 whatever ran before
SELECT setval('channel.deal_deal_id_seq', 8400) AS deal_ids_after;

BEGIN;
INSERT INTO channel.product_line (code, name, protection_days) VALUES ('IR_LINE', 'Input rules line', 60);
INSERT INTO channel.partner (partner_id, name, status, country) VALUES
  (8101, 'Alpha Input', 'active', 'FR'), (8102, 'Beta Input', 'active', 'FR');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (8101, 'IR_LINE'), (8102, 'IR_LINE');
INSERT INTO channel.partner_territory (partner_id, country) VALUES (8101, 'FR'), (8102, 'FR');

-- the letter-or-digit rule, as every not-blank check applies it: any
-- script counts, invisible characters and lone marks do not
SELECT v.label, channel.has_letter_or_digit(v.t) AS has_letter_or_digit
FROM (VALUES ('ascii', 'Acme'), ('digits', '3M'), ('cjk', '李'), ('cyrillic', 'Газпром'), ('ampersand', '&'),
             ('spaces', '   '), ('bom', U&'\FEFF'), ('zero width space', U&'\200B\200B'),
             ('lone combining mark', U&'\0301'), ('right-to-left override', U&'\202E'),
             ('punctuation', '.-/'), ('empty', '')) AS v(label, t)
ORDER BY v.label;
SELECT channel.has_letter_or_digit(repeat(U&'\200B', 40000) || 'x') AS letter_after_120kb,
       channel.has_letter_or_digit(repeat(U&'\200B', 40000)) AS only_invisible_120kb;

---------------------------------------------------------------- 1. NaN money
SELECT channel.register_deal(8101, 'Nan Corp', 'FR', 'IR_LINE', 'NaN', :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_deal(8101, 'Nan Corp', 'FR', 'IR_LINE', 'Infinity', :'today'::date + 30);
SELECT channel.register_deal(8101, 'Nan Corp', 'FR', 'IR_LINE', 1e15, :'today'::date + 30);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_deal(8101, 'Honest Corp', 'FR', 'IR_LINE', 1000, :'today'::date + 30) AS honest \gset
SELECT channel.approve_deal(:honest);
SELECT channel.close_deal(:honest, true, 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT channel.close_deal(:honest, true, '-Infinity');
SELECT status, amount FROM channel.deal WHERE deal_id = :honest;
\set VERBOSITY terse
-- written directly: the CHECKs refuse NaN (which passes ">= 0")
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (8101, 'Direct Nan', 'FR', 'IR_LINE', 'NaN', :'today'::date + 30);
UPDATE channel.deal SET amount = 'NaN' WHERE deal_id = :honest;
INSERT INTO channel.lead (company, country, product_line, budget) VALUES ('Nan Budget', 'FR', 'IR_LINE', 'NaN');
\set VERBOSITY default

---------------------------------------------------------------- 2. dates and windows
\set VERBOSITY terse
-- protection: not forever, not a thousand years, not past what the
-- settings allow (730 days a line, 365 per extension, 20 extensions)
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, protected_until)
VALUES (8101, 'Forever Ltd', 'FR', 'IR_LINE', 1, :'today'::date + 30, 'infinity');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, protected_until)
VALUES (8101, 'Millennium Ltd', 'FR', 'IR_LINE', 1, :'today'::date + 30, now() + interval '1000 years');
UPDATE channel.deal SET protected_until = 'infinity' WHERE deal_id = :honest;
UPDATE channel.deal SET extension_count = 21 WHERE deal_id = :honest;
-- expected close, submission and decision stamps inside 1900..2200
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (8101, 'Far Close', 'FR', 'IR_LINE', 1, 'infinity');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (8101, 'Far Close', 'FR', 'IR_LINE', 1, '-infinity');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (8101, 'Far Close', 'FR', 'IR_LINE', 1, '4713-01-01 BC');
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
VALUES (8101, 'Far Close', 'FR', 'IR_LINE', 1, '294276-12-31');
-- certifications: bounded dates, at most ten years of validity
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (8101, 'IR_LINE', 'expert', '-infinity', 'infinity');
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (8101, 'IR_LINE', 'expert', :'today'::date, :'today'::date + 3661);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
VALUES (8101, 'IR_LINE', 'expert', :'today'::date, :'today'::date + 3660);
-- leads: the SLA window is at most the 720 hours channel.sla_hours allows
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by)
VALUES (8201, 'Never Recalled', 'FR', 'IR_LINE', 'routed', 8101, now(), 'infinity');
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by)
VALUES (8201, 'Never Recalled', 'FR', 'IR_LINE', 'routed', 8101, now(), now() + interval '721 hours');
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by)
VALUES (8201, 'Month SLA', 'FR', 'IR_LINE', 'routed', 8101, now(), now() + interval '720 hours');
INSERT INTO channel.lead (company, country, product_line, created_at) VALUES ('Timeless', 'FR', 'IR_LINE', 'infinity');
INSERT INTO channel.lead (company, country, product_line, created_at) VALUES ('Ancient', 'FR', 'IR_LINE', '1899-12-31 23:00:00+00');
INSERT INTO channel.partner (name, country, created_at) VALUES ('Old Partner', 'FR', '1800-01-01');
-- a timeline convert_lead could not turn into a date
INSERT INTO channel.lead (company, country, product_line, timeline_days) VALUES ('Patient Buyer', 'FR', 'IR_LINE', 2000000000);
\set VERBOSITY default
-- register_deal names the range instead of a raw 22008
SELECT channel.register_deal(8101, 'Far Close', 'FR', 'IR_LINE', 1, '294276-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT channel.register_deal(8101, 'Far Close', 'FR', 'IR_LINE', 1, 'infinity');
-- a registration submitted near the end of the range extends without overflow
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, decided_at, protected_until)
VALUES (8301, 8101, 'Late Corp', 'FR', 'IR_LINE', 1, '2200-12-31', 'approved',
        '2200-12-30 00:00:00+00', '2200-12-30 00:00:00+00', '2201-02-28 00:00:00+00');
SELECT channel.extend_deal(8301, 365) - '2201-02-28 00:00:00+00'::timestamptz AS extended_by;

---------------------------------------------------------------- 3. scoring rules the loader reads
-- an `in` list has at most the 64 items the rule loader takes
\set VERBOSITY terse
INSERT INTO channel.scoring_rule (attribute, operator, value, points)
SELECT 'industry', 'in', string_agg('industry' || i, ', '), 1 FROM generate_series(1, 65) i;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
INSERT INTO channel.scoring_rule (attribute, operator, value, points)
SELECT 'industry', 'in', string_agg('industry' || i, ', '), 7 FROM generate_series(1, 64) i;
-- and intake goes on, scoring by the 64-item rule
INSERT INTO channel.lead (lead_id, company, country, product_line, industry)
VALUES (8202, 'Scored Lead', 'FR', 'IR_LINE', 'industry64') RETURNING score;
\set VERBOSITY terse
INSERT INTO channel.scoring_rule (attribute, operator, value, points) VALUES ('campaign', '=', U&'\200B', 5);
\set VERBOSITY default
-- a rule the loader cannot read (the constraint dropped) is skipped with a
-- warning; intake goes on with the other rules
SAVEPOINT unreadable_rule;
ALTER TABLE channel.scoring_rule DROP CONSTRAINT scoring_rule_list_size;
INSERT INTO channel.scoring_rule (attribute, operator, value, points)
SELECT 'industry', 'in', string_agg('sector' || i, ','), 50 FROM generate_series(1, 65) i;
INSERT INTO channel.lead (lead_id, company, country, product_line, industry)
VALUES (8204, 'Still Scored', 'FR', 'IR_LINE', 'industry64') RETURNING score;
ROLLBACK TO SAVEPOINT unreadable_rule;

---------------------------------------------------------------- 4. no TRUNCATE of shipped rows
TRUNCATE channel.scoring_rule;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE channel.reject_reason CASCADE;
SELECT (SELECT count(*) FROM channel.scoring_rule WHERE rule_id < 0) AS shipped_rules,
       (SELECT count(*) FROM channel.reject_reason WHERE shipped) AS shipped_reasons;

---------------------------------------------------------------- 5. derived columns stay derived
SELECT channel.register_deal(8101, 'Kronos Systems', 'FR', 'IR_LINE', 10, :'today'::date + 30) AS kronos \gset
UPDATE channel.deal SET customer_match_keys = ARRAY['DE|OTHER|k:kronossystems'] WHERE deal_id = :kronos;
\echo :LAST_ERROR_SQLSTATE
UPDATE channel.deal SET customer_key = 'someone else' WHERE deal_id = :kronos;
-- writing them unchanged is no forgery; a new name brings new keys
UPDATE channel.deal SET customer_key = customer_key, amount = 11 WHERE deal_id = :kronos;
UPDATE channel.deal SET customer_name = 'Chronos Systems' WHERE deal_id = :kronos;
SELECT customer_key, customer_key = channel.normalize_company(customer_name) AS key_is_name,
       customer_match_keys = (SELECT array_agg('FR|IR_LINE|' || k) FROM unnest(channel.company_match_keys(customer_name)) k)
         AS keys_are_name
FROM channel.deal WHERE deal_id = :kronos;
-- partner.status_changed_at is stamped by status changes only
UPDATE channel.partner SET status_changed_at = '2000-01-01' WHERE partner_id = 8102;
SELECT status_changed_at > '2000-01-02' AS still_the_real_stamp FROM channel.partner WHERE partner_id = 8102;

---------------------------------------------------------------- 7. stamps never before the stamp they follow
-- a transaction that began before the routing (or the submission): here
-- the routing and the submission are stamped after this transaction's now()
UPDATE channel.lead SET routed_at = now() + interval '1 minute', accept_by = now() + interval '1 day'
WHERE lead_id = 8201;
SELECT channel.accept_lead(8201);
SELECT accepted_at = routed_at AS accepted_at_routing, accepted_at > now() AS after_now FROM channel.lead WHERE lead_id = 8201;
SELECT channel.lose_lead(8201, 'budget cut');
SELECT closed_at >= accepted_at AS closed_after_acceptance FROM channel.lead WHERE lead_id = 8201;
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, expected_close, submitted_at)
VALUES (8302, 8102, 'Later Submitted', 'FR', 'IR_LINE', 5, :'today'::date + 30, now() + interval '1 minute'),
       (8303, 8102, 'Later Rejected', 'FR', 'IR_LINE', 5, :'today'::date + 30, now() + interval '1 minute');
SELECT channel.approve_deal(8302);
SELECT channel.reject_deal(8303, 'duplicate');
SELECT channel.close_deal(8302, false);
SELECT deal_id, decided_at = submitted_at AS decided_at_submission, closed_at = submitted_at AS closed_at_submission
FROM channel.deal WHERE deal_id IN (8302, 8303) ORDER BY deal_id;

---------------------------------------------------------------- 8. invisible text is blank
\set VERBOSITY terse
INSERT INTO channel.partner (name, country) VALUES (U&'\FEFF', 'FR');
INSERT INTO channel.partner (name, country) VALUES (U&'\200B\200B\200B', 'FR');
INSERT INTO channel.partner (name, country) VALUES (U&'\0301', 'FR');
INSERT INTO channel.partner (name, country) VALUES (U&'\202E', 'FR');
INSERT INTO channel.lead (company, country, product_line) VALUES (U&'\200B', 'FR', 'IR_LINE');
INSERT INTO channel.partner_contact (partner_id, full_name, email) VALUES (8101, U&'\FEFF ', 'x@alpha.example');
INSERT INTO channel.reject_reason (code, description) VALUES ('ir_invisible', U&'\200B');
INSERT INTO channel.product_line (code, name) VALUES ('IR_BLANK', U&'\202E');
\set VERBOSITY default
SELECT channel.register_deal(8101, U&'\200B\FEFF', 'FR', 'IR_LINE', 1, :'today'::date + 30);
SELECT channel.reject_deal(:kronos, U&'\200B');
\echo :LAST_ERROR_SQLSTATE
SELECT channel.reject_deal(:kronos, NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by, accepted_at)
VALUES (8203, 'Lost Lead', 'FR', 'IR_LINE', 'accepted', 8101, now(), now(), now());
SELECT channel.lose_lead(8203, U&'\202E');
-- names in other scripts are names
INSERT INTO channel.partner (name, country) VALUES ('株式会社', 'JP') RETURNING name;

---------------------------------------------------------------- 10. errors that say what is wrong
SELECT channel.country_region(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT channel.reject_lead(8202, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM channel.lead_funnel('-infinity', '2020-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM channel.lead_funnel('2020-01-01', 'infinity');
SELECT * FROM channel.generate_demo(as_of => 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM channel.generate_demo(as_of => '0044-03-15 BC');
SELECT * FROM channel.generate_demo(partners => NULL);
\echo :LAST_ERROR_SQLSTATE
-- a trigger function used where it does not belong says which one it is
CREATE TEMP TABLE not_a_deal (n integer);
CREATE TRIGGER misplaced_record AFTER INSERT ON not_a_deal
  FOR EACH ROW EXECUTE FUNCTION channel.deal_record_conflicts();
INSERT INTO not_a_deal VALUES (1);
DROP TRIGGER misplaced_record ON not_a_deal;
CREATE TRIGGER misplaced_register AFTER INSERT ON not_a_deal
  FOR EACH ROW EXECUTE FUNCTION channel.deal_register();
INSERT INTO not_a_deal VALUES (1);

ROLLBACK;
-- nothing left behind
SELECT (SELECT count(*) FROM channel.partner WHERE partner_id BETWEEN 8101 AND 8102) AS partners,
       (SELECT count(*) FROM channel.product_line WHERE code LIKE 'IR\_%') AS lines;
