-- the region default and the history log skip them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER lead_before_write
  BEFORE INSERT OR UPDATE OF country, region ON channel.lead
  FOR EACH ROW WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.lead_before_write();
CREATE OR REPLACE TRIGGER lead_log_insert
  AFTER INSERT ON channel.lead
  FOR EACH ROW WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.lead_log_transition();
