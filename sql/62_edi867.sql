-- 62_edi867: a sell-through report sent as X12 867, staged by
-- channel.stage_edi_867() into the same lines as a CSV file, then ingested;
-- a document it cannot read stages nothing; a partner stages into its own
-- batches only.  Dates are relative to today; everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
SELECT to_char(current_date - 10, 'YYYYMMDD') AS sold_on \gset

BEGIN;
CREATE ROLE regress_edi_partner;
GRANT channel_partner TO regress_edi_partner;
INSERT INTO channel.product_line (code, name) VALUES ('EDI_LINE', 'EDI test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, created_at) VALUES
  (6701, 'EDI Distributor', 'distributor', 'gold', 'active', 'FR', now() - interval '400 days'),
  (6702, 'EDI Other', 'reseller', 'silver', 'active', 'FR', now() - interval '400 days');
INSERT INTO channel.partner_product (partner_id, product_line) VALUES (6701, 'EDI_LINE');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_edi_partner', 6701);
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (6701, 'EDI-SKU-1', 'EDI_LINE', 'EDI box', 100, 'EUR', current_date - 800);

-- two transfers, three items: one of them an unknown SKU
SELECT format(
  'ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:~' || E'\n' ||
  'GS*PT*DISTRIBUTOR*VENDOR*%1$s*1200*1*X*004010~ST*867*0001~BPT*00*RPT-1*%1$s*DD~CUR*SE*EUR~' || E'\n' ||
  'PTD*SS~DTM*003*%1$s~REF*IV*E-1001~N1*ST*Boulangerie Martin SARL~N4*Lyon**69001*FR~' || E'\n' ||
  'LIN*1*VP*EDI-SKU-1~QTY*39*2*EA~CTP**RES*99.50~LIN*2*VP*NO-SUCH-SKU~QTY*39*1~CTP**RES*10~' || E'\n' ||
  'PTD*SS~DTM*003*%1$s~REF*IV*E-1002~N1*BY*Quincaillerie Dupont~N4*Paris**75001*FR~' || E'\n' ||
  'LIN*1*VP*EDI-SKU-1~QTY*39*5~CTP**RES*100~SE*20*0001~GE*1*1~IEA*1*000000001~', :'sold_on') AS doc \gset

SET SESSION AUTHORIZATION regress_edi_partner;
SELECT channel.open_report('sell_through', NULL, 'edi-867.x12') AS b \gset
SELECT channel.stage_edi_867(:'doc') AS staged;
SELECT line_no, invoice_no, invoice_date = :'sold_on' AS invoice_date_as_sent, sku, quantity, unit_price, currency,
       customer_name, customer_country, customer_city, customer_postcode, reseller_id
FROM channel.sell_through_staging WHERE batch_id = :b ORDER BY row_no;
-- the same lines a CSV file would stage; ingestion is the same
SELECT lines_in, lines_published, lines_rejected, lines_in = lines_published + lines_rejected AS nothing_lost
FROM channel.ingest_sell_through(:b);
SELECT reason, line_no FROM channel.report_reject WHERE batch_id = :b;
SELECT invoice_no, line_no, quantity, unit_price, amount, currency, customer_name
FROM channel.sell_through WHERE batch_id = :b ORDER BY invoice_no, line_no;
-- a published batch takes no more lines (its staging is closed)
SELECT channel.stage_edi_867(:'doc', :b);
RESET SESSION AUTHORIZATION;

-- another partner's batch: refused by the staging table's policy
SELECT channel.open_report('sell_through', 6702) AS other \gset
SET SESSION AUTHORIZATION regress_edi_partner;
SELECT channel.stage_edi_867(:'doc', :other);
RESET SESSION AUTHORIZATION;
SELECT count(*) AS staged_in_other FROM channel.sell_through_staging WHERE batch_id = :other;

-- documents it cannot read: nothing staged, the segment named
SELECT channel.stage_edi_867('ST*867*1~PTD*SS~SE*2*1~', :other);
SELECT channel.stage_edi_867(
  'ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:~ST*850*1~SE*1*1~', :other);
SELECT channel.stage_edi_867(
  'ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *240115*1200*U*00401*000000001*0*P*:~ST*867*1~LIN*1*VP*X~SE*2*1~', :other);
SELECT channel.stage_edi_867(NULL, :other);
SELECT count(*) AS staged_in_other FROM channel.sell_through_staging WHERE batch_id = :other;
ROLLBACK;
