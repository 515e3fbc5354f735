-- scoring on insert skips them: restored rows are a replay (channel.restoring(), 00_restore.sql); the
-- trigger keeps its name, firing order and comment.
CREATE OR REPLACE TRIGGER lead_score_on_insert
  BEFORE INSERT ON channel.lead
  FOR EACH ROW WHEN (NEW.score IS NULL AND NOT channel.restoring())
  EXECUTE FUNCTION channel.lead_score_on_insert();
