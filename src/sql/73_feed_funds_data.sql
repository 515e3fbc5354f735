-- 73_feed_funds_data.sql: the change feed (71_change_feed.sql) for funds
-- (55-59) and channel data (60-63): fund movements, fund requests and
-- claims, report batches and leakage found in sell-through
-- (doc/integration.md, "Event types").  Statement-level triggers with
-- transition tables, like the others: one INSERT ... SELECT per statement.

-- Every ledger movement that concerns a partner's money is a fund.<entry>
-- event (allocation, accrual, reservation, release, payment, expiry,
-- carry_out, carry_in) on that partner's feed; a budget entry, or an
-- expiry of unallocated money, is the vendor's (partner_id NULL).
CREATE FUNCTION channel.feed_fund_ledger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
  SELECT 'fund.' || f.entry, 'fund_entry', f.entry_id, f.partner_id,
         pg_catalog.jsonb_build_object('v', 1, 'entry_id', f.entry_id, 'budget_id', f.budget_id,
                                       'allocation_id', f.allocation_id, 'partner_id', f.partner_id,
                                       'entry', f.entry, 'from', f.from_bucket, 'to', f.to_bucket,
                                       'amount', f.amount, 'currency', f.currency,
                                       'request_id', f.request_id, 'claim_id', f.claim_id)
  FROM new_rows f ORDER BY f.entry_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM channel.feed_notify(); END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_fund_ledger() IS
  'Trigger: fund.<entry> for every fund ledger movement (the partner''s feed shows its own; budget entries are the vendor''s).';
CREATE TRIGGER fund_ledger_feed_insert AFTER INSERT ON channel.fund_ledger
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_fund_ledger();
COMMENT ON TRIGGER fund_ledger_feed_insert ON channel.fund_ledger IS 'Change feed: fund.<entry> movements.';

-- Requests: fund_request.created (a draft), fund_request.<status> at every
-- status change, fund_request.first_approved at the first of two approvals.
CREATE FUNCTION channel.feed_fund_request() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'fund_request.created', 'fund_request', q.request_id, q.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'request_id', q.request_id, 'partner_id', q.partner_id,
                                         'allocation_id', q.allocation_id, 'status', q.status,
                                         'activity_type', q.activity_type, 'title', q.title,
                                         'planned_cost', q.planned_cost, 'currency', q.currency,
                                         'planned_start', q.planned_start, 'planned_end', q.planned_end)
    FROM new_rows q ORDER BY q.request_id;
  ELSE
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT CASE WHEN q.status IS DISTINCT FROM o.status THEN 'fund_request.' || q.status
                ELSE 'fund_request.first_approved' END,
           'fund_request', q.request_id, q.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'request_id', q.request_id, 'partner_id', q.partner_id,
                                         'from', o.status, 'to', q.status, 'planned_cost', q.planned_cost,
                                         'first_approved_amount', q.first_approved_amount,
                                         'approved_amount', q.approved_amount, 'currency', q.currency,
                                         'reason', q.status_reason)
    FROM new_rows q JOIN old_rows o ON o.request_id = q.request_id
    WHERE q.status IS DISTINCT FROM o.status
       OR (o.first_approved_at IS NULL AND q.first_approved_at IS NOT NULL)
    ORDER BY q.request_id;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM channel.feed_notify(); END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_fund_request() IS
  'Trigger: fund_request.created, fund_request.<status> for every status change, fund_request.first_approved for the first of two approvals.';
CREATE TRIGGER fund_request_feed_insert AFTER INSERT ON channel.fund_request
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_fund_request();
CREATE TRIGGER fund_request_feed_update AFTER UPDATE ON channel.fund_request
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_fund_request();
COMMENT ON TRIGGER fund_request_feed_insert ON channel.fund_request IS 'Change feed: fund_request.created.';
COMMENT ON TRIGGER fund_request_feed_update ON channel.fund_request IS 'Change feed: fund request status changes.';

CREATE FUNCTION channel.feed_fund_claim() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'fund_claim.created', 'fund_claim', c.claim_id, c.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'claim_id', c.claim_id, 'request_id', c.request_id,
                                         'partner_id', c.partner_id, 'status', c.status,
                                         'amount', c.amount, 'currency', c.currency)
    FROM new_rows c ORDER BY c.claim_id;
  ELSE
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'fund_claim.' || c.status, 'fund_claim', c.claim_id, c.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'claim_id', c.claim_id, 'request_id', c.request_id,
                                         'partner_id', c.partner_id, 'from', o.status, 'to', c.status,
                                         'amount', c.amount, 'approved_amount', c.approved_amount,
                                         'currency', c.currency, 'payment_reference', c.payment_reference,
                                         'reason', c.status_reason)
    FROM new_rows c JOIN old_rows o ON o.claim_id = c.claim_id
    WHERE c.status IS DISTINCT FROM o.status
    ORDER BY c.claim_id;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM channel.feed_notify(); END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_fund_claim() IS
  'Trigger: fund_claim.created and fund_claim.<status> for every status change (submitted, approved, rejected, paid).';
CREATE TRIGGER fund_claim_feed_insert AFTER INSERT ON channel.fund_claim
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_fund_claim();
CREATE TRIGGER fund_claim_feed_update AFTER UPDATE ON channel.fund_claim
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_fund_claim();
COMMENT ON TRIGGER fund_claim_feed_insert ON channel.fund_claim IS 'Change feed: fund_claim.created.';
COMMENT ON TRIGGER fund_claim_feed_update ON channel.fund_claim IS 'Change feed: fund claim status changes.';

-- Channel data: report.staged when a partner's report batch is opened,
-- report.published with its counts when it is published (one event per
-- report, not per line).
CREATE FUNCTION channel.feed_report_batch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'report.' || b.status, 'report_batch', b.batch_id, b.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'batch_id', b.batch_id, 'partner_id', b.partner_id,
                                         'kind', b.kind, 'file_name', b.file_name, 'status', b.status)
    FROM new_rows b ORDER BY b.batch_id;
  ELSE
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'report.' || b.status, 'report_batch', b.batch_id, b.partner_id,
           pg_catalog.jsonb_build_object('v', 1, 'batch_id', b.batch_id, 'partner_id', b.partner_id,
                                         'kind', b.kind, 'from', o.status, 'to', b.status,
                                         'lines_in', b.lines_in, 'lines_published', b.lines_published,
                                         'lines_new', b.lines_new, 'lines_replaced', b.lines_replaced,
                                         'lines_rejected', b.lines_rejected, 'lines_duplicate', b.lines_duplicate,
                                         'customers_new', b.customers_new, 'registrations_won', b.registrations_won,
                                         'lines_registered', b.lines_registered, 'lines_leakage', b.lines_leakage,
                                         'lines_unregistered', b.lines_unregistered)
    FROM new_rows b JOIN old_rows o ON o.batch_id = b.batch_id
    WHERE b.status IS DISTINCT FROM o.status
    ORDER BY b.batch_id;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM channel.feed_notify(); END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_report_batch() IS
  'Trigger: report.staged for a new report batch, report.published (with the batch''s counts) when it is published.';
CREATE TRIGGER report_batch_feed_insert AFTER INSERT ON channel.report_batch
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_report_batch();
CREATE TRIGGER report_batch_feed_update AFTER UPDATE ON channel.report_batch
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_report_batch();
COMMENT ON TRIGGER report_batch_feed_insert ON channel.report_batch IS 'Change feed: report.staged.';
COMMENT ON TRIGGER report_batch_feed_update ON channel.report_batch IS 'Change feed: report.published.';

-- Leakage: a sell-through line that another partner's registration covers
-- (or that falls on a registration the seller does not hold) is one
-- sell_through.leakage event for the vendor only: it names a registration
-- of a partner other than the reporting one.
-- A row trigger that fires only for leakage lines: publishing a report of
-- well-registered lines costs the feed nothing.
CREATE FUNCTION channel.feed_sell_through() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
  VALUES ('sell_through.leakage', 'sell_through', NEW.line_id, NULL,
          pg_catalog.jsonb_build_object('v', 1, 'line_id', NEW.line_id, 'batch_id', NEW.batch_id,
                                        'reporting_partner_id', NEW.partner_id, 'seller_id', NEW.seller_id,
                                        'invoice_no', NEW.invoice_no, 'line_no', NEW.line_no,
                                        'end_customer_id', NEW.end_customer_id, 'product_line', NEW.product_line,
                                        'amount', NEW.amount, 'currency', NEW.currency,
                                        'leakage_deal_id', NEW.leakage_deal_id));
  PERFORM channel.feed_notify();
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_sell_through() IS
  'Trigger: sell_through.leakage for every sell-through line newly found to leak (vendor-only: it names another partner''s registration).';
CREATE TRIGGER sell_through_feed_insert AFTER INSERT ON channel.sell_through
  FOR EACH ROW WHEN (NEW.registration = 'leakage' AND NOT channel.restoring()) EXECUTE FUNCTION channel.feed_sell_through();
CREATE TRIGGER sell_through_feed_update AFTER UPDATE OF registration ON channel.sell_through
  FOR EACH ROW WHEN (NEW.registration = 'leakage' AND OLD.registration <> 'leakage')
  EXECUTE FUNCTION channel.feed_sell_through();
COMMENT ON TRIGGER sell_through_feed_insert ON channel.sell_through IS 'Change feed: sell_through.leakage for new leakage lines.';
COMMENT ON TRIGGER sell_through_feed_update ON channel.sell_through IS 'Change feed: sell_through.leakage for lines that become leakage.';

REVOKE EXECUTE ON FUNCTION channel.feed_fund_ledger(), channel.feed_fund_request(), channel.feed_fund_claim(),
  channel.feed_report_batch(), channel.feed_sell_through() FROM PUBLIC;
