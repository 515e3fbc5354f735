-- 11_registration (run late, after 97_validate_constraints.sql: the re-key
-- rewrites every deal, which the new CHECKs would otherwise refuse with a
-- bare error for a row 0.1.0 accepted): registrations already stored get the customer key and blocking keys
-- of 0.2.0's matching (legal forms written other ways, trailing articles, Japanese forms,
-- one-letter runs joined; words keyed in their compared form, doc/deals.md).  Rewriting
-- customer_name to itself fires channel.deal_register(), which recomputes both (it checks
-- for conflicts on INSERT only), so the keys are made by the one code that makes them at
-- registration.  The rollup queue is left alone (no rolled-up figure depends on the keys),
-- and the GIN index is rebuilt, since it would otherwise keep every old key.
ALTER TABLE channel.deal DISABLE TRIGGER deal_mark_dirty_update;
UPDATE channel.deal SET customer_name = customer_name;
ALTER TABLE channel.deal ENABLE TRIGGER deal_mark_dirty_update;
REINDEX INDEX channel.deal_match_keys_idx;
