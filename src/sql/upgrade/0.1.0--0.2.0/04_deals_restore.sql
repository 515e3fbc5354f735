-- the history log skips them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER deal_log_insert
  AFTER INSERT ON channel.deal
  FOR EACH ROW WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.deal_log_transition();
