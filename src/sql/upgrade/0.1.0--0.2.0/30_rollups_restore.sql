-- the rollup queue skips them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER lead_mark_dirty_insert AFTER INSERT ON channel.lead
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.lead_mark_dirty();
CREATE OR REPLACE TRIGGER deal_mark_dirty_insert AFTER INSERT ON channel.deal
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.deal_mark_dirty();
