-- Channel data by EDI: a distributor's X12 867 (product transfer and resale
-- report) staged by channel.stage_edi_867() into the same lines a CSV file
-- gives, then ingested like any report.  The document is built from the
-- demo's own catalogue and a customer the distributor sold to before.
\set ON_ERROR_STOP 1

SELECT p.partner_id AS edi_partner, pr.sku AS edi_sku, pr.currency AS edi_currency,
       to_char(current_date - 3, 'YYYYMMDD') AS edi_day,
       (SELECT st.customer_name FROM channel.sell_through st WHERE st.partner_id = p.partner_id
        ORDER BY st.line_id LIMIT 1) AS edi_customer,
       (SELECT st.customer_country FROM channel.sell_through st WHERE st.partner_id = p.partner_id
        ORDER BY st.line_id LIMIT 1) AS edi_country
FROM channel.partner p
JOIN channel.partner_product pp ON pp.partner_id = p.partner_id
JOIN channel.product pr ON pr.product_line = pp.product_line AND pr.active_until IS NULL
WHERE p.kind = 'distributor' AND p.status = 'active'
  AND EXISTS (SELECT 1 FROM channel.sell_through st WHERE st.partner_id = p.partner_id)
ORDER BY p.partner_id, pr.sku LIMIT 1 \gset

SELECT format(
  'ISA*00*          *00*          *ZZ*DISTRIBUTOR    *ZZ*VENDOR         *%1$s*1200*U*00401*000000001*0*P*:~' || E'\n' ||
  'GS*PT*DISTRIBUTOR*VENDOR*%2$s*1200*1*X*004010~ST*867*0001~BPT*00*DEMO-867*%2$s*DD~CUR*SE*%3$s~' || E'\n' ||
  'PTD*SS~DTM*003*%2$s~REF*IV*EDI-DEMO-1~N1*ST*%4$s~N4*Somewhere**00000*%5$s~' || E'\n' ||
  'LIN*1*VP*%6$s~QTY*39*3*EA~CTP**RES*100~LIN*2*VP*NO-SUCH-SKU~QTY*39*1~CTP**RES*10~' || E'\n' ||
  'SE*10*0001~GE*1*1~IEA*1*000000001~',
  right(:'edi_day', 6), :'edi_day', :'edi_currency', :'edi_customer', :'edi_country', :'edi_sku') AS edi_doc \gset

\echo 'An X12 867 from distributor' :edi_partner ': two items, one of them an unknown SKU'
\echo :edi_doc
SELECT channel.open_report('sell_through', :edi_partner, 'demo-867.x12') AS edi_batch \gset
SELECT channel.stage_edi_867(:'edi_doc', :edi_batch) AS lines_staged;
SELECT line_no, invoice_no, sku, quantity, unit_price, currency, customer_name, customer_country
FROM channel.sell_through_staging WHERE batch_id = :edi_batch ORDER BY row_no;
\echo 'Ingested like a CSV report: the good line published and matched to its end customer, the bad one rejected with its reason'
SELECT lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:edi_batch);
SELECT st.invoice_no, pr.sku, st.quantity, st.amount, st.currency, st.customer_name, st.end_customer_id IS NOT NULL AS matched, st.registration
FROM channel.sell_through st JOIN channel.product pr USING (product_id) WHERE st.batch_id = :edi_batch;
SELECT reason, line_no FROM channel.report_reject WHERE batch_id = :edi_batch;
