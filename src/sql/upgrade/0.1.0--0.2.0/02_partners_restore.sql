-- partner_before_write skips them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER partner_before_write
  BEFORE INSERT OR UPDATE ON channel.partner
  FOR EACH ROW WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.partner_before_write();
