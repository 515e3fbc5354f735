-- 71_change_feed.sql: outbound integration -- the change feed
-- (doc/integration.md).
--
-- A transactional outbox: statement-level triggers with transition tables
-- write one typed event per state change into channel.change_event in the
-- transaction that makes the change, so an event exists if and only if its
-- change committed.  Consumers read it with a cursor.
--
-- Why not "event_id > last seen": ids are drawn in one order and committed
-- in another, so a reader that has seen id 11 can miss id 10 committed a
-- moment later.  The feed is cut instead into batches between two
-- snapshots (the way PgQ does it): a consumer's batch holds the events of
-- the transactions that are visible in its batch_hi snapshot but not in its
-- batch_lo snapshot.  Every transaction is in exactly one batch (the first
-- snapshot taken after it ended), a batch never changes once cut (its
-- transactions had all ended), and within a batch events go in id order.
-- Two transactions touching the same row commit one after the other (the
-- second waits for the first's lock), so they land in order: in different
-- batches, or in one batch with the later one's ids drawn after the
-- earlier committed.

CREATE TABLE channel.change_event (
  event_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid        xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
  at         timestamptz NOT NULL DEFAULT now(),
  event_type text NOT NULL CONSTRAINT change_event_type_format CHECK (event_type ~ '^[a-z_]+\.[a-z_]+$'),
  entity     text NOT NULL,
  entity_id  bigint NOT NULL,
  partner_id bigint,
  payload    jsonb NOT NULL
);
COMMENT ON TABLE channel.change_event IS
  'The change feed (transactional outbox): one typed event per state change, written by trigger in the changing transaction; read with channel.read_events().';
COMMENT ON COLUMN channel.change_event.event_id IS 'Identity; orders the events of one batch (not commit order across transactions).';
COMMENT ON COLUMN channel.change_event.xid IS 'The writing transaction (pg_current_xact_id()): which batch the event belongs to.';
COMMENT ON COLUMN channel.change_event.at IS 'Transaction time of the change.';
COMMENT ON COLUMN channel.change_event.event_type IS 'entity.what, e.g. lead.routed, deal.won (doc/integration.md lists them).';
COMMENT ON COLUMN channel.change_event.entity IS 'lead, deal, partner, conflict or notification.';
COMMENT ON COLUMN channel.change_event.entity_id IS 'Id of the row the event is about.';
COMMENT ON COLUMN channel.change_event.partner_id IS
  'The partner the event concerns (its own feed shows it), NULL for vendor-only events.';
COMMENT ON COLUMN channel.change_event.payload IS 'The event as JSON; key "v" is the payload version (1).';
CREATE INDEX change_event_xid_idx ON channel.change_event (xid);
COMMENT ON INDEX channel.change_event_xid_idx IS 'Events by writing transaction: cutting batches, purging.';
CREATE INDEX change_event_partner_idx ON channel.change_event (partner_id, event_id) WHERE partner_id IS NOT NULL;
COMMENT ON INDEX channel.change_event_partner_idx IS 'A partner''s own events, for its filtered feed.';

SELECT pg_catalog.pg_extension_config_dump('channel.change_event', '');
SELECT pg_catalog.pg_extension_config_dump('channel.change_event_event_id_seq', '');

-- A consumer's position.  Transaction ids and snapshots are the cluster's:
-- pg_upgrade keeps them, but after a dump restored into another cluster
-- they mean nothing; read_events notices (a snapshot from the future) and
-- asks for the consumer to be created again (doc/integration.md).
CREATE TABLE channel.event_consumer (
  owner_partner bigint NOT NULL DEFAULT 0,
  consumer      text NOT NULL CONSTRAINT event_consumer_name_format CHECK (consumer ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  batch_lo      pg_snapshot NOT NULL,
  batch_hi      pg_snapshot NOT NULL,
  last_event_id bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  acked_at      timestamptz,
  CONSTRAINT event_consumer_pkey PRIMARY KEY (owner_partner, consumer)
);
COMMENT ON TABLE channel.event_consumer IS
  'Cursor of each change-feed consumer: its current batch (the transactions visible in batch_hi and not in batch_lo) and how far into it it has acknowledged.';
COMMENT ON COLUMN channel.event_consumer.owner_partner IS 'The partner whose own feed this is, 0 for a consumer of the whole feed.';
COMMENT ON COLUMN channel.event_consumer.consumer IS 'Name chosen by the consumer, unique per owner.';
COMMENT ON COLUMN channel.event_consumer.batch_lo IS 'Snapshot ending the previous batch: everything visible in it is acknowledged.';
COMMENT ON COLUMN channel.event_consumer.batch_hi IS 'Snapshot ending the current batch.';
COMMENT ON COLUMN channel.event_consumer.last_event_id IS
  'Last acknowledged event of the current batch; when a batch is cut, the id just before its first event (or after the last event written, for an empty batch).';
COMMENT ON COLUMN channel.event_consumer.created_at IS 'When the consumer was created.';
COMMENT ON COLUMN channel.event_consumer.acked_at IS 'When it last acknowledged.';
SELECT pg_catalog.pg_extension_config_dump('channel.event_consumer', '');

ALTER TABLE channel.change_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.change_event FORCE ROW LEVEL SECURITY;
ALTER TABLE channel.event_consumer ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.event_consumer FORCE ROW LEVEL SECURITY;
CREATE POLICY change_event_admin ON channel.change_event FOR ALL TO channel_admin USING (true) WITH CHECK (true);
COMMENT ON POLICY change_event_admin ON channel.change_event IS 'Channel managers (channel_admin) see every event.';
CREATE POLICY change_event_partner ON channel.change_event FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY change_event_partner ON channel.change_event IS
  'A partner sees the events that concern it (through read_events; it has no table privilege).';
CREATE POLICY event_consumer_admin ON channel.event_consumer FOR ALL TO channel_admin USING (true) WITH CHECK (true);
COMMENT ON POLICY event_consumer_admin ON channel.event_consumer IS 'Channel managers (channel_admin) see every consumer.';
CREATE POLICY event_consumer_partner ON channel.event_consumer FOR SELECT TO channel_partner
  USING (owner_partner = channel.current_partner());
COMMENT ON POLICY event_consumer_partner ON channel.event_consumer IS
  'A partner sees its own consumers (through the feed functions; it has no table privilege).';
GRANT SELECT, DELETE ON channel.change_event TO channel_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON channel.event_consumer TO channel_admin;

-- ---------------------------------------------------------------------------
-- Writing events: statement-level triggers, set-based
-- ---------------------------------------------------------------------------
-- For the row and statement triggers of other pieces (67, 72, 73); the
-- feed's own trigger calls pg_notify() directly (a SQL function call less
-- per statement).
CREATE FUNCTION channel.feed_notify() RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.pg_notify('channel_events', '') $$;
COMMENT ON FUNCTION channel.feed_notify() IS
  'Internal: NOTIFY channel_events (empty payload; the notifications of one transaction collapse into one, delivered at commit).';

-- The payloads: channel.feed_payload() (src/feed_payload.c) builds the same
-- object as jsonb_build_object() with the same arguments, byte for byte,
-- at a fraction of the instructions (type lookups kept per session, numbers
-- converted without a round trip through text).
CREATE FUNCTION channel.feed_payload(VARIADIC "any") RETURNS jsonb
AS 'MODULE_PATHNAME', 'channel_feed_payload'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION channel.feed_payload(VARIADIC "any") IS
  'Internal: a change-feed payload, the same jsonb as jsonb_build_object() of the same keys and scalar values (sql/74_feed_payload compares them), built with fewer instructions.';

-- One trigger function writes the events of every table the feed covers
-- (this piece's and 73_feed_funds_data.sql's): channel.feed_event(), an
-- INSERT ... SELECT from the statement's transition table(s) chosen by
-- table and operation.  The statements are static, not built per call:
-- PL/pgSQL keeps each one's plan for the session, where a dynamic
-- statement would be parsed and planned again on every single-row
-- registration.  Inserts write their events in the order the rows were
-- inserted (the transition table's order, no sort); updates in key order
-- (the join's).  NOTIFY channel_events once per statement that wrote an
-- event (the notifications of a transaction collapse into one at commit).
--
-- The update statements join the old and new transition tables by key.
-- PL/pgSQL keeps the plan made at the first call of the session, sized for
-- the transition tables of that call: planned for one row (a single-row
-- update), it is a nested loop, and the next 10,000-row update compares
-- 10,000 x 10,000 rows (measured: 78 s instead of 0.05 s).  With nested
-- loops off the join is hashed whatever size it was planned for; JIT is
-- off too, since the disabled nested loops that remain (a LATERAL VALUES
-- list) cost the plan 1e10 and the compilation then took 0.6 s a statement.
CREATE FUNCTION channel.feed_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET enable_nestloop = off SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  IF TG_TABLE_NAME = 'deal' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT CASE WHEN d.status = 'conflict' THEN 'deal.conflict' ELSE 'deal.registered' END, 'deal', d.deal_id, d.partner_id,
             channel.feed_payload('v', 1, 'deal_id', d.deal_id, 'partner_id', d.partner_id, 'status', d.status,
                                           'customer_name', d.customer_name, 'customer_country', d.customer_country,
                                           'product_line', d.product_line, 'amount', d.amount, 'currency', d.currency,
                                           'protected_until', d.protected_until, 'reason', d.status_reason)
      FROM new_rows d;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT CASE WHEN d.status IS DISTINCT FROM o.status THEN 'deal.' || d.status ELSE 'deal.extended' END,
             'deal', d.deal_id, d.partner_id,
             channel.feed_payload('v', 1, 'deal_id', d.deal_id, 'partner_id', d.partner_id,
                                           'from', o.status, 'to', d.status, 'amount', d.amount, 'currency', d.currency,
                                           'protected_until', d.protected_until, 'extension_count', d.extension_count,
                                           'reason', d.status_reason)
      FROM new_rows d JOIN old_rows o ON o.deal_id = d.deal_id
      WHERE d.status IS DISTINCT FROM o.status OR d.extension_count > o.extension_count
      ORDER BY d.deal_id;
    END IF;
  ELSIF TG_TABLE_NAME = 'lead' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'lead.created', 'lead', l.lead_id, l.partner_id,
             channel.feed_payload('v', 1, 'lead_id', l.lead_id, 'status', l.status, 'country', l.country,
                                           'product_line', l.product_line, 'score', l.score)
      FROM new_rows l;
    ELSE
      -- partner_id: the new holder, or the partner that lost a rejected or recalled lead
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'lead.' || l.status, 'lead', l.lead_id, p.partner_id,
             channel.feed_payload('v', 1, 'lead_id', l.lead_id, 'from', o.status, 'to', l.status,
                                           'partner_id', p.partner_id, 'accept_by', l.accept_by,
                                           'reason', CASE WHEN l.status = 'rejected' THEN l.reject_reason ELSE l.status_reason END)
      FROM new_rows l JOIN old_rows o ON o.lead_id = l.lead_id
      CROSS JOIN LATERAL (SELECT CASE WHEN l.status IN ('rejected', 'recalled') THEN o.partner_id
                                      ELSE l.partner_id END AS partner_id) p
      WHERE l.status IS DISTINCT FROM o.status
      ORDER BY l.lead_id;
    END IF;
  ELSIF TG_TABLE_NAME = 'partner' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'partner.created', 'partner', p.partner_id, p.partner_id,
             channel.feed_payload('v', 1, 'partner_id', p.partner_id, 'name', p.name, 'kind', p.kind,
                                           'tier', p.tier, 'status', p.status, 'country', p.country)
      FROM new_rows p;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT ch.event_type, 'partner', p.partner_id, p.partner_id,
             channel.feed_payload('v', 1, 'partner_id', p.partner_id, 'from', ch.old_value, 'to', ch.new_value)
      FROM new_rows p JOIN old_rows o ON o.partner_id = p.partner_id
      CROSS JOIN LATERAL (VALUES (1, 'partner.status_changed', o.status::text, p.status::text),
                                 (2, 'partner.tier_changed', o.tier::text, p.tier::text)) ch(ord, event_type, old_value, new_value)
      WHERE ch.old_value IS DISTINCT FROM ch.new_value
      ORDER BY p.partner_id, ch.ord;
    END IF;
  ELSIF TG_TABLE_NAME = 'deal_conflict' THEN
    -- a conflict names two registrations: the vendor's events only
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'conflict.detected', 'conflict', c.conflict_id, NULL,
             channel.feed_payload('v', 1, 'conflict_id', c.conflict_id, 'deal_id', c.deal_id,
                                           'other_deal_id', c.other_deal_id, 'match_kind', c.match_kind, 'score', c.score)
      FROM new_rows c;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'conflict.resolved', 'conflict', c.conflict_id, NULL,
             channel.feed_payload('v', 1, 'conflict_id', c.conflict_id, 'deal_id', c.deal_id,
                                           'other_deal_id', c.other_deal_id, 'winner_deal_id', c.winner_deal_id)
      FROM new_rows c JOIN old_rows o ON o.conflict_id = c.conflict_id
      WHERE o.resolved_at IS NULL AND c.resolved_at IS NOT NULL
      ORDER BY c.conflict_id;
    END IF;
  ELSIF TG_TABLE_NAME = 'fund_ledger' THEN
    -- 73_feed_funds_data.sql: every ledger movement (inserts only, the ledger is append-only)
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'fund.' || f.entry, 'fund_entry', f.entry_id, f.partner_id,
           channel.feed_payload('v', 1, 'entry_id', f.entry_id, 'budget_id', f.budget_id,
                                         'allocation_id', f.allocation_id, 'partner_id', f.partner_id,
                                         'entry', f.entry, 'from', f.from_bucket, 'to', f.to_bucket,
                                         'amount', f.amount, 'currency', f.currency,
                                         'request_id', f.request_id, 'claim_id', f.claim_id)
    FROM new_rows f;
  ELSIF TG_TABLE_NAME = 'fund_request' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'fund_request.created', 'fund_request', q.request_id, q.partner_id,
             channel.feed_payload('v', 1, 'request_id', q.request_id, 'partner_id', q.partner_id,
                                           'allocation_id', q.allocation_id, 'status', q.status,
                                           'activity_type', q.activity_type, 'title', q.title,
                                           'planned_cost', q.planned_cost, 'currency', q.currency,
                                           'planned_start', q.planned_start, 'planned_end', q.planned_end)
      FROM new_rows q;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT CASE WHEN q.status IS DISTINCT FROM o.status THEN 'fund_request.' || q.status
                  ELSE 'fund_request.first_approved' END,
             'fund_request', q.request_id, q.partner_id,
             channel.feed_payload('v', 1, 'request_id', q.request_id, 'partner_id', q.partner_id,
                                           'from', o.status, 'to', q.status, 'planned_cost', q.planned_cost,
                                           'first_approved_amount', q.first_approved_amount,
                                           'approved_amount', q.approved_amount, 'currency', q.currency,
                                           'reason', q.status_reason)
      FROM new_rows q JOIN old_rows o ON o.request_id = q.request_id
      WHERE q.status IS DISTINCT FROM o.status
         OR (o.first_approved_at IS NULL AND q.first_approved_at IS NOT NULL)
      ORDER BY q.request_id;
    END IF;
  ELSIF TG_TABLE_NAME = 'fund_claim' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'fund_claim.created', 'fund_claim', c.claim_id, c.partner_id,
             channel.feed_payload('v', 1, 'claim_id', c.claim_id, 'request_id', c.request_id,
                                           'partner_id', c.partner_id, 'status', c.status,
                                           'amount', c.amount, 'currency', c.currency)
      FROM new_rows c;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'fund_claim.' || c.status, 'fund_claim', c.claim_id, c.partner_id,
             channel.feed_payload('v', 1, 'claim_id', c.claim_id, 'request_id', c.request_id,
                                           'partner_id', c.partner_id, 'from', o.status, 'to', c.status,
                                           'amount', c.amount, 'approved_amount', c.approved_amount,
                                           'currency', c.currency, 'payment_reference', c.payment_reference,
                                           'reason', c.status_reason)
      FROM new_rows c JOIN old_rows o ON o.claim_id = c.claim_id
      WHERE c.status IS DISTINCT FROM o.status
      ORDER BY c.claim_id;
    END IF;
  ELSIF TG_TABLE_NAME = 'report_batch' THEN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'report.' || b.status, 'report_batch', b.batch_id, b.partner_id,
             channel.feed_payload('v', 1, 'batch_id', b.batch_id, 'partner_id', b.partner_id,
                                           'kind', b.kind, 'file_name', b.file_name, 'status', b.status)
      FROM new_rows b;
    ELSE
      INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
      SELECT 'report.' || b.status, 'report_batch', b.batch_id, b.partner_id,
             channel.feed_payload('v', 1, 'batch_id', b.batch_id, 'partner_id', b.partner_id,
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
  ELSIF TG_TABLE_NAME = 'sell_through' AND TG_OP = 'INSERT' THEN
    -- published leakage lines, vendor-only (73_feed_funds_data.sql); a line
    -- that becomes leakage later is channel.feed_sell_through()'s row trigger
    INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
    SELECT 'sell_through.leakage', 'sell_through', f.line_id, NULL,
           channel.feed_payload('v', 1, 'line_id', f.line_id, 'batch_id', f.batch_id,
                                         'reporting_partner_id', f.partner_id, 'seller_id', f.seller_id,
                                         'invoice_no', f.invoice_no, 'line_no', f.line_no,
                                         'end_customer_id', f.end_customer_id, 'product_line', f.product_line,
                                         'amount', f.amount, 'currency', f.currency,
                                         'leakage_deal_id', f.leakage_deal_id)
    FROM new_rows f
    WHERE f.registration = 'leakage';
  ELSE
    RAISE EXCEPTION 'channel.feed_event() writes no events for table %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME
      USING ERRCODE = 'feature_not_supported', HINT = 'Add the table''s statements to channel.feed_event().';
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM pg_catalog.pg_notify('channel_events', '');
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.feed_event() IS
  'Trigger (statement level, transition tables new_rows / old_rows): writes the change-feed events of a statement on lead, deal, partner, deal_conflict, fund_ledger, fund_request, fund_claim, report_batch or (inserts) sell_through (doc/integration.md, "Event types") and NOTIFYs channel_events.';

CREATE TRIGGER lead_feed_insert AFTER INSERT ON channel.lead
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER lead_feed_update AFTER UPDATE ON channel.lead
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER lead_feed_insert ON channel.lead IS 'Change feed: lead.created.';
COMMENT ON TRIGGER lead_feed_update ON channel.lead IS 'Change feed: lead status changes.';
CREATE TRIGGER deal_feed_insert AFTER INSERT ON channel.deal
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER deal_feed_update AFTER UPDATE ON channel.deal
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER deal_feed_insert ON channel.deal IS 'Change feed: deal.registered / deal.conflict.';
COMMENT ON TRIGGER deal_feed_update ON channel.deal IS 'Change feed: deal status changes and extensions.';
CREATE TRIGGER deal_conflict_feed_insert AFTER INSERT ON channel.deal_conflict
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER deal_conflict_feed_update AFTER UPDATE ON channel.deal_conflict
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER deal_conflict_feed_insert ON channel.deal_conflict IS 'Change feed: conflict.detected.';
COMMENT ON TRIGGER deal_conflict_feed_update ON channel.deal_conflict IS 'Change feed: conflict.resolved.';
CREATE TRIGGER partner_feed_insert AFTER INSERT ON channel.partner
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.feed_event();
CREATE TRIGGER partner_feed_update AFTER UPDATE ON channel.partner
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION channel.feed_event();
COMMENT ON TRIGGER partner_feed_insert ON channel.partner IS 'Change feed: partner.created.';
COMMENT ON TRIGGER partner_feed_update ON channel.partner IS 'Change feed: partner status and tier changes.';

-- The rollups' statement triggers on lead and deal (30_rollups.sql) join
-- their transition tables the same way: a session that updated one lead and
-- then upserts 10,000 spent 47 s in lead_mark_dirty() alone.  The same cure,
-- set here where it was found (install and upgrade alike run this piece).
ALTER FUNCTION channel.lead_mark_dirty() SET enable_nestloop = off;
ALTER FUNCTION channel.lead_mark_dirty() SET jit = off;
ALTER FUNCTION channel.deal_mark_dirty() SET enable_nestloop = off;
ALTER FUNCTION channel.deal_mark_dirty() SET jit = off;

-- ---------------------------------------------------------------------------
-- Reading: consumers and their cursors
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.create_consumer(consumer text, from_start boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := coalesce(channel.current_partner(), 0);
  -- the empty snapshot "1:1:" sees no transaction: the first batch is then the whole retained feed
  lo pg_snapshot := CASE WHEN from_start THEN '1:1:'::pg_snapshot ELSE pg_catalog.pg_current_snapshot() END;
BEGIN
  IF consumer IS NULL OR consumer !~ '^[a-z][a-z0-9_.-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid consumer name "%"', coalesce(consumer, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A lower-case letter, then up to 62 letters, digits, _ . or -.';
  END IF;
  -- the first batch is empty (lo to lo): it starts after the last event
  INSERT INTO channel.event_consumer (owner_partner, consumer, batch_lo, batch_hi, last_event_id)
  VALUES (me, consumer, lo, lo, coalesce((SELECT max(e.event_id) FROM channel.change_event e), 0));
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'consumer "%" already exists', consumer
    USING ERRCODE = 'duplicate_object', HINT = 'Pick another name, or go on reading with this one.';
END
$$;
COMMENT ON FUNCTION channel.create_consumer(text, boolean) IS
  'Creates a change-feed consumer: from now on, or (from_start) from the oldest retained event. A partner''s consumer reads only the partner''s own events.';

CREATE FUNCTION channel.consumer_for_update(consumer text) RETURNS channel.event_consumer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c channel.event_consumer;
BEGIN
  SELECT * INTO c FROM channel.event_consumer ec
  WHERE ec.owner_partner = coalesce(channel.current_partner(), 0) AND ec.consumer = consumer_for_update.consumer
  FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'consumer "%" does not exist', consumer
      USING ERRCODE = 'no_data_found', HINT = 'Create it with channel.create_consumer().';
  END IF;
  RETURN c;
END
$$;
COMMENT ON FUNCTION channel.consumer_for_update(text) IS
  'Internal: the caller''s consumer of that name, locked (cutting a batch and dropping take turns; acknowledging locks it by its UPDATE).';

CREATE FUNCTION channel.read_events(consumer text, max integer DEFAULT 1000)
RETURNS TABLE (cursor bigint, event_type text, at timestamptz, entity text, entity_id bigint,
               partner_id bigint, payload jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  c channel.event_consumer;
  locked channel.event_consumer;
  hi pg_snapshot;
  first bigint;
BEGIN
  -- reading takes no lock (two readers of one consumer may get the same
  -- page; acknowledging is what moves it); cutting a batch locks it
  SELECT * INTO c FROM channel.event_consumer ec
  WHERE ec.owner_partner = coalesce(channel.current_partner(), 0) AND ec.consumer = read_events.consumer;
  IF NOT FOUND THEN
    c := channel.consumer_for_update(consumer);
  END IF;
  IF max IS NULL OR max < 1 OR max > 100000 THEN
    RAISE EXCEPTION 'max must be 1 to 100000, not %', coalesce(max::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Read in pages of up to 100000 events.';
  END IF;
  IF pg_catalog.pg_snapshot_xmax(c.batch_hi) > pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot()) THEN
    RAISE EXCEPTION 'consumer "%" holds a position of another cluster', consumer
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Its snapshot is ahead of this cluster''s transaction counter: the database was restored from a dump.',
            HINT = 'Drop the consumer and create it again (from_start to read the retained events again).';
  END IF;
  FOR pass IN 1..2 LOOP
    -- the page: in id order from the cursor, the rows of the batch's
    -- transactions (the primary key's order, filtered; no sort)
    IF c.owner_partner = 0 THEN
      RETURN QUERY
        SELECT e.event_id, e.event_type, e.at, e.entity, e.entity_id, e.partner_id, e.payload
        FROM channel.change_event e
        WHERE e.event_id > c.last_event_id
          AND NOT pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_lo)
          AND pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_hi)
        ORDER BY e.event_id
        LIMIT max;
    ELSE
      -- a partner's own events, by change_event_partner_idx
      RETURN QUERY
        SELECT e.event_id, e.event_type, e.at, e.entity, e.entity_id, e.partner_id, e.payload
        FROM channel.change_event e
        WHERE e.partner_id = c.owner_partner AND e.event_id > c.last_event_id
          AND NOT pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_lo)
          AND pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_hi)
        ORDER BY e.partner_id, e.event_id
        LIMIT max;
    END IF;
    IF FOUND OR pass = 2 THEN
      RETURN;
    END IF;
    -- the batch is acknowledged to its end: cut the next one, up to now.
    -- Its transactions have xids from the old batch_hi's xmin to the new
    -- one's xmax: the xid index finds its first event, and reading starts
    -- there (not at the oldest retained event); an empty batch starts after
    -- the last event written so far.
    locked := channel.consumer_for_update(consumer);
    IF locked.last_event_id <> c.last_event_id OR locked.batch_hi::text <> c.batch_hi::text THEN
      -- another session acknowledged or cut meanwhile: read from where it is
      c := locked;
      CONTINUE;
    END IF;
    hi := pg_catalog.pg_current_snapshot();
    EXECUTE
      'SELECT min(e.event_id) FROM channel.change_event e
       WHERE e.xid >= pg_catalog.pg_snapshot_xmin($1) AND e.xid < pg_catalog.pg_snapshot_xmax($2)
         AND NOT pg_catalog.pg_visible_in_snapshot(e.xid, $1) AND pg_catalog.pg_visible_in_snapshot(e.xid, $2)
         AND ($3 = 0 OR e.partner_id = $3)'
      INTO first USING c.batch_hi, hi, c.owner_partner;
    IF first IS NULL THEN
      SELECT coalesce(max(e.event_id), 0) INTO first FROM channel.change_event e;
      first := first + 1;
    END IF;
    UPDATE channel.event_consumer ec SET batch_lo = ec.batch_hi, batch_hi = hi, last_event_id = first - 1
    WHERE ec.owner_partner = c.owner_partner AND ec.consumer = c.consumer;
    c.batch_lo := c.batch_hi; c.batch_hi := hi; c.last_event_id := first - 1;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.read_events(text, integer) IS
  'Change feed: up to max events the consumer has not acknowledged, in feed order, with the cursor to acknowledge them by. Until acknowledged, the same events come again. Never skips an event committed late.';

CREATE FUNCTION channel.ack_events(consumer text, cursor bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  c channel.event_consumer;
  n integer;
BEGIN
  IF cursor IS NULL THEN
    RAISE EXCEPTION 'cursor must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the cursor of the last event you processed.';
  END IF;
  -- one statement in the usual case: the cursor is an event of the batch
  -- beyond the position (the UPDATE locks the consumer's row, and checks
  -- again on the latest version if another session moved it meanwhile)
  UPDATE channel.event_consumer ec SET last_event_id = cursor, acked_at = now()
  WHERE ec.owner_partner = coalesce(channel.current_partner(), 0) AND ec.consumer = ack_events.consumer
    AND ec.last_event_id < cursor
    AND EXISTS (SELECT 1 FROM channel.change_event e
                WHERE e.event_id = cursor
                  AND NOT pg_catalog.pg_visible_in_snapshot(e.xid, ec.batch_lo)
                  AND pg_catalog.pg_visible_in_snapshot(e.xid, ec.batch_hi)
                  AND (ec.owner_partner = 0 OR e.partner_id = ec.owner_partner));
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 1 THEN
    RETURN true;
  END IF;
  c := channel.consumer_for_update(consumer);
  IF cursor <= c.last_event_id THEN
    RETURN false;
  END IF;
  RAISE EXCEPTION 'cursor % is not an event read by consumer "%"', cursor, consumer
    USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Acknowledge with a cursor returned by channel.read_events() since the last acknowledgement.';
END
$$;
COMMENT ON FUNCTION channel.ack_events(text, bigint) IS
  'Change feed: acknowledges every event read up to and including cursor; they are not read again. Returns false when they already were.';

CREATE FUNCTION channel.drop_consumer(consumer text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  c channel.event_consumer := channel.consumer_for_update(consumer);
BEGIN
  DELETE FROM channel.event_consumer ec WHERE ec.owner_partner = c.owner_partner AND ec.consumer = c.consumer;
END
$$;
COMMENT ON FUNCTION channel.drop_consumer(text) IS
  'Change feed: removes the caller''s consumer (its unacknowledged events no longer hold back purging).';

-- Retention: channel.event_retention (src/integration_settings.c, a
-- duration, default 7 days).  An event goes once it is older than that and
-- every consumer that would read it has acknowledged it.
CREATE FUNCTION channel.purge_events() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  keep interval;
  n bigint;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor purges the change feed'
      USING ERRCODE = 'insufficient_privilege', HINT = 'Schedule channel.purge_events() as the vendor (pg_cron).';
  END IF;
  -- the setting's text ('7d', '36h', '90min', '0') is interval input
  keep := pg_catalog.current_setting('channel.event_retention')::interval;
  DELETE FROM channel.change_event e
  WHERE e.at < now() - keep
    AND NOT EXISTS (
      SELECT 1 FROM channel.event_consumer c
      WHERE (c.owner_partner = 0 OR e.partner_id = c.owner_partner)
        AND NOT pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_lo)
        AND NOT (pg_catalog.pg_visible_in_snapshot(e.xid, c.batch_hi) AND e.event_id <= c.last_event_id));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.purge_events() IS
  'Vendor / pg_cron: deletes the events older than channel.event_retention (default 7 days) that every consumer reading them has acknowledged; returns how many.';

INSERT INTO channel.job_definition (job_name, position, command, needs, default_schedule, purpose) VALUES
  ('channel-purge-events', 711, 'SELECT channel.purge_events()', 'channel.purge_events()', '17 * * * *',
   'delete acknowledged change-feed events older than channel.event_retention');


-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'create_consumer'),
  ('channel_partner', 'read_events'),
  ('channel_partner', 'ack_events'),
  ('channel_partner', 'drop_consumer'),
  -- a consumer reads the feed and nothing else (channel_integration is one)
  ('channel_consumer', 'create_consumer'),
  ('channel_consumer', 'read_events'),
  ('channel_consumer', 'ack_events'),
  ('channel_consumer', 'drop_consumer');

REVOKE EXECUTE ON FUNCTION channel.feed_notify(), channel.feed_payload(VARIADIC "any"), channel.feed_event(), channel.create_consumer(text, boolean), channel.consumer_for_update(text),
  channel.read_events(text, integer), channel.ack_events(text, bigint), channel.drop_consumer(text),
  channel.purge_events() FROM PUBLIC;
