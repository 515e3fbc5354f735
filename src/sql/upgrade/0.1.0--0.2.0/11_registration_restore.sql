-- registration and conflict recording skip them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER deal_register
  BEFORE INSERT OR UPDATE OF customer_name, customer_country, product_line ON channel.deal
  FOR EACH ROW WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.deal_register();
CREATE OR REPLACE TRIGGER deal_record_conflicts
  AFTER INSERT ON channel.deal
  FOR EACH ROW WHEN (NEW.status = 'conflict' AND NOT channel.restoring())
  EXECUTE FUNCTION channel.deal_record_conflicts();
