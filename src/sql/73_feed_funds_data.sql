-- 73_feed_funds_data.sql: the change feed (71_change_feed.sql) for funds
-- (55-59) and channel data (60-63): fund movements, fund requests and
-- claims, report batches and leakage found in sell-through
-- (doc/integration.md, "Event types").  Statement-level triggers with
-- transition tables, like the others: one INSERT ... SELECT per statement.

-- The events are written by channel.feed_event() (71_change_feed.sql), the
-- one trigger function of every statement-level feed trigger: this piece
-- attaches it to the funds' and channel data's tables.
--
-- Every ledger movement that concerns a partner's money is a fund.<entry>
-- event (allocation, accrual, reservation, release, payment, expiry,
-- carry_out, carry_in) on that partner's feed; a budget entry, or an
-- expiry of unallocated money, is the vendor's (partner_id NULL).
CREATE TRIGGER fund_ledger_feed_insert AFTER INSERT ON channel.fund_ledger
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER fund_ledger_feed_insert ON channel.fund_ledger IS 'Change feed: fund.<entry> movements.';

-- Requests: fund_request.created (a draft), fund_request.<status> at every
-- status change, fund_request.first_approved at the first of two approvals.
CREATE TRIGGER fund_request_feed_insert AFTER INSERT ON channel.fund_request
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER fund_request_feed_update AFTER UPDATE ON channel.fund_request
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER fund_request_feed_insert ON channel.fund_request IS 'Change feed: fund_request.created.';
COMMENT ON TRIGGER fund_request_feed_update ON channel.fund_request IS 'Change feed: fund request status changes.';

-- Claims: fund_claim.created, fund_claim.<status> (submitted, approved,
-- rejected, paid).
CREATE TRIGGER fund_claim_feed_insert AFTER INSERT ON channel.fund_claim
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER fund_claim_feed_update AFTER UPDATE ON channel.fund_claim
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER fund_claim_feed_insert ON channel.fund_claim IS 'Change feed: fund_claim.created.';
COMMENT ON TRIGGER fund_claim_feed_update ON channel.fund_claim IS 'Change feed: fund claim status changes.';

-- Channel data: report.staged when a partner's report batch is opened,
-- report.published with its counts when it is published (one event per
-- report, not per line).
CREATE TRIGGER report_batch_feed_insert AFTER INSERT ON channel.report_batch
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER report_batch_feed_update AFTER UPDATE ON channel.report_batch
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER report_batch_feed_insert ON channel.report_batch IS 'Change feed: report.staged.';
COMMENT ON TRIGGER report_batch_feed_update ON channel.report_batch IS 'Change feed: report.published.';

-- Leakage: a sell-through line that another partner's registration covers
-- (or that falls on a registration the seller does not hold) is one
-- sell_through.leakage event for the vendor only: it names a registration
-- of a partner other than the reporting one.
-- Published lines: a statement trigger (channel.feed_event(), its
-- sell_through branch: one INSERT ... SELECT of the leakage rows of the
-- statement's transition table, which the rollup's statement trigger reads
-- too). Lines that become leakage by an update: a row trigger (a trigger on
-- UPDATE OF a column cannot have a transition table) that fires only for
-- them.
CREATE FUNCTION channel.feed_sell_through() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
  VALUES ('sell_through.leakage', 'sell_through', NEW.line_id, NULL,
          channel.feed_payload('v', 1, 'line_id', NEW.line_id, 'batch_id', NEW.batch_id,
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
  'Row trigger: sell_through.leakage for a sell-through line an update makes leak (vendor-only: it names another partner''s registration); published leakage lines are channel.feed_event()''s.';
CREATE TRIGGER sell_through_feed_insert AFTER INSERT ON channel.sell_through
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER sell_through_feed_update AFTER UPDATE OF registration ON channel.sell_through
  FOR EACH ROW WHEN (NEW.registration = 'leakage' AND OLD.registration <> 'leakage')
  EXECUTE FUNCTION channel.feed_sell_through();
COMMENT ON TRIGGER sell_through_feed_insert ON channel.sell_through IS 'Change feed: sell_through.leakage for new leakage lines.';
COMMENT ON TRIGGER sell_through_feed_update ON channel.sell_through IS 'Change feed: sell_through.leakage for lines that become leakage.';

REVOKE EXECUTE ON FUNCTION channel.feed_sell_through() FROM PUBLIC;
