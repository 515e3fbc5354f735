-- 0.2.0: the rollup rows of 0.1.0 lack partner_month's new columns and the
-- funnel rollups (33_funnel_rollups.sql) start empty: both are recomputed
-- from the base tables once, as a rebuild does (it waits for a running
-- refresh; whatever was queued is then recomputed too).
SELECT channel.rebuild_rollups();
