-- 70_external_refs.sql: inbound integration -- idempotent bulk upserts of
-- partners, contacts, leads and deals by the reference another system
-- (a CRM) gives them (doc/integration.md).
--
-- A mapping table keeps the references, so the entity tables are not
-- touched: (entity, source, external_id) -> local id, with the source's own
-- modification time of the version applied and a hash of that version.
-- Each upsert call takes a jsonb array (or a staging table) of records and
-- returns one row per record: created, updated, unchanged or rejected, with
-- the reason.  Each record is applied in its own subtransaction, so a bad
-- record is rejected and the rest are applied.  Status changes go through
-- the lifecycle functions (accept_lead, close_deal, ...), never around them.

CREATE TABLE channel.external_ref (
  entity             text NOT NULL
                     CONSTRAINT external_ref_entity_valid CHECK (entity IN ('partner', 'contact', 'lead', 'deal')),
  source             text NOT NULL
                     CONSTRAINT external_ref_source_format CHECK (source ~ '^[a-z][a-z0-9_.-]{0,39}$'),
  external_id        text NOT NULL
                     CONSTRAINT external_ref_id_valid CHECK (btrim(external_id) <> '' AND length(external_id) <= 200),
  local_id           bigint NOT NULL,
  source_modified_at timestamptz NOT NULL,
  record_hash        text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT external_ref_pkey PRIMARY KEY (entity, source, external_id),
  CONSTRAINT external_ref_local_once UNIQUE (entity, source, local_id)
);
COMMENT ON TABLE channel.external_ref IS
  'References other systems give channel rows: (entity, source, external_id) names one local row; written by the upsert_* functions.';
COMMENT ON COLUMN channel.external_ref.entity IS 'partner, contact, lead or deal.';
COMMENT ON COLUMN channel.external_ref.source IS 'The other system, e.g. salesforce (lower case, up to 40 characters).';
COMMENT ON COLUMN channel.external_ref.external_id IS 'The row''s id in that system; unique per source and entity.';
COMMENT ON COLUMN channel.external_ref.local_id IS 'partner_id, contact_id, lead_id or deal_id of the local row.';
COMMENT ON COLUMN channel.external_ref.source_modified_at IS
  'The source''s modification time of the version last applied: an older record never overwrites it.';
COMMENT ON COLUMN channel.external_ref.record_hash IS
  'md5 of the version last applied (the record without modified_at): the same version again changes nothing.';
COMMENT ON COLUMN channel.external_ref.created_at IS 'When the reference was first mapped.';
COMMENT ON COLUMN channel.external_ref.updated_at IS 'When a newer version was last applied.';
SELECT pg_catalog.pg_extension_config_dump('channel.external_ref', '');

-- ---------------------------------------------------------------------------
-- Roles: channel_consumer reads the change feed (71_change_feed.sql) and
-- nothing else; channel_integration is a consumer that also upserts.
-- ---------------------------------------------------------------------------
DO $roles$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ('channel_consumer', 'channel: change-feed consumers -- read_events / ack_events on the whole feed, nothing else.'),
      ('channel_integration', 'channel: integrations (a CRM connector) -- the upsert_* functions and the change feed.'))
      AS t(rolname, descr)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.rolname) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.rolname);
      EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.rolname, r.descr);
    END IF;
  END LOOP;
  IF NOT pg_catalog.pg_has_role('channel_integration', 'channel_consumer', 'MEMBER') THEN
    GRANT channel_consumer TO channel_integration;
  END IF;
END
$roles$;
GRANT USAGE ON SCHEMA channel TO channel_consumer;

ALTER TABLE channel.external_ref ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.external_ref FORCE ROW LEVEL SECURITY;
CREATE POLICY external_ref_admin ON channel.external_ref FOR ALL TO channel_admin USING (true) WITH CHECK (true);
COMMENT ON POLICY external_ref_admin ON channel.external_ref IS 'Channel managers (channel_admin) see and write every row.';
CREATE POLICY external_ref_analyst ON channel.external_ref FOR SELECT TO channel_analyst USING (true);
COMMENT ON POLICY external_ref_analyst ON channel.external_ref IS 'Analysts (channel_analyst) read every row.';
GRANT SELECT, INSERT, UPDATE, DELETE ON channel.external_ref TO channel_admin;
GRANT SELECT ON channel.external_ref TO channel_analyst, channel_integration;
CREATE POLICY external_ref_integration ON channel.external_ref FOR SELECT TO channel_integration USING (true);
COMMENT ON POLICY external_ref_integration ON channel.external_ref IS
  'Integrations (channel_integration) read every mapping (they write through the upsert functions only).';

-- ---------------------------------------------------------------------------
-- Record helpers
-- ---------------------------------------------------------------------------
-- The keys a record of an entity may carry; anything else is a typo the
-- sender should hear about rather than data silently dropped.
CREATE FUNCTION channel.external_fields(entity text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE entity
    WHEN 'partner' THEN ARRAY['ref', 'modified_at', 'name', 'kind', 'tier', 'status', 'country', 'region',
                              'parent_ref', 'max_open_leads', 'website']
    WHEN 'contact' THEN ARRAY['ref', 'modified_at', 'partner_ref', 'full_name', 'email', 'phone', 'role', 'is_primary']
    WHEN 'lead' THEN ARRAY['ref', 'modified_at', 'company', 'contact_name', 'contact_email', 'country', 'product_line',
                           'source', 'campaign', 'industry', 'employees', 'budget', 'authority', 'need',
                           'timeline_days', 'status', 'reject_reason', 'status_reason']
    WHEN 'deal' THEN ARRAY['ref', 'modified_at', 'partner_ref', 'lead_ref', 'customer_name', 'customer_country',
                           'product_line', 'amount', 'currency', 'expected_close', 'status', 'status_reason']
  END
$$;
COMMENT ON FUNCTION channel.external_fields(text) IS
  'Internal: the keys an upsert record of entity may carry (doc/integration.md lists what each means).';

-- The local id another record of the same source names (partner_ref,
-- lead_ref), or an error the caller turns into a rejection.
CREATE FUNCTION channel.external_local_id(entity text, source text, external_id text, field text) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  id bigint;
BEGIN
  SELECT x.local_id INTO id FROM channel.external_ref x
  WHERE x.entity = external_local_id.entity AND x.source = external_local_id.source
    AND x.external_id = external_local_id.external_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% "%" is not a known % of source %', field, external_id, entity, source
      USING ERRCODE = 'foreign_key_violation',
            HINT = pg_catalog.format('Upsert the %s first (an earlier batch, or earlier in this one).', entity);
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.external_local_id(text, text, text, text) IS
  'Internal: the local id of the entity another record references by its external id in the same source; raises foreign_key_violation when unknown.';

-- Refuses a change to a field that only the channel's own rules set after
-- creation (a registration's customer, a lead's partner ...).
CREATE FUNCTION channel.external_immutable(r jsonb, field text, current text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF r ? field AND (r ->> field) IS DISTINCT FROM current THEN
    RAISE EXCEPTION '% cannot change once the record exists', field
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('Stored: %s; sent: %s.', coalesce(current, 'null'), coalesce(r ->> field, 'null')),
            HINT = 'Register a new record, or leave the field out.';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.external_immutable(jsonb, text, text) IS
  'Internal: raises when a record sends a different value for a field fixed at creation.';

-- ---------------------------------------------------------------------------
-- Applying one record (called in a subtransaction by external_upsert)
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.external_apply_partner(source text, r jsonb, local_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v channel.partner := pg_catalog.jsonb_populate_record(NULL::channel.partner, r);
  parent bigint;
  id bigint := local_id;
BEGIN
  IF r ? 'parent_ref' AND r ->> 'parent_ref' IS NOT NULL THEN
    parent := channel.external_local_id('partner', source, r ->> 'parent_ref', 'parent_ref');
  END IF;
  IF id IS NULL THEN
    INSERT INTO channel.partner (name, kind, tier, status, country, region, parent_id, max_open_leads, website)
    VALUES (v.name, coalesce(v.kind, 'reseller'), coalesce(v.tier, 'registered'), coalesce(v.status, 'prospect'),
            v.country, v.region, parent, coalesce(v.max_open_leads, 25), v.website)
    RETURNING partner_id INTO id;
  ELSE
    UPDATE channel.partner p SET
      name = CASE WHEN r ? 'name' THEN v.name ELSE p.name END,
      kind = CASE WHEN r ? 'kind' THEN v.kind ELSE p.kind END,
      tier = CASE WHEN r ? 'tier' THEN v.tier ELSE p.tier END,
      status = CASE WHEN r ? 'status' THEN v.status ELSE p.status END,
      country = CASE WHEN r ? 'country' THEN v.country ELSE p.country END,
      region = CASE WHEN r ? 'region' THEN v.region WHEN r ? 'country' THEN NULL ELSE p.region END,
      parent_id = CASE WHEN r ? 'parent_ref' THEN parent ELSE p.parent_id END,
      max_open_leads = CASE WHEN r ? 'max_open_leads' THEN v.max_open_leads ELSE p.max_open_leads END,
      website = CASE WHEN r ? 'website' THEN v.website ELSE p.website END
    WHERE p.partner_id = id;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.external_apply_partner(text, jsonb, bigint) IS
  'Internal: creates (local_id NULL) or updates a partner from an upsert record; returns its partner_id.';

CREATE FUNCTION channel.external_apply_contact(source text, r jsonb, local_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v channel.partner_contact := pg_catalog.jsonb_populate_record(NULL::channel.partner_contact, r);
  partner bigint;
  id bigint := local_id;
BEGIN
  IF r ->> 'partner_ref' IS NOT NULL THEN
    partner := channel.external_local_id('partner', source, r ->> 'partner_ref', 'partner_ref');
  END IF;
  IF id IS NULL THEN
    IF partner IS NULL THEN
      RAISE EXCEPTION 'partner_ref is required for a new contact'
        USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the partner the person works for.';
    END IF;
    INSERT INTO channel.partner_contact (partner_id, full_name, email, phone, role, is_primary)
    VALUES (partner, v.full_name, v.email, v.phone, coalesce(v.role, 'sales'), coalesce(v.is_primary, false))
    RETURNING contact_id INTO id;
  ELSE
    IF r ? 'partner_ref' AND partner IS DISTINCT FROM
       (SELECT c.partner_id FROM channel.partner_contact c WHERE c.contact_id = id) THEN
      RAISE EXCEPTION 'partner_ref cannot change once the contact exists'
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'A person moving to another partner is a new contact there.';
    END IF;
    UPDATE channel.partner_contact c SET
      full_name = CASE WHEN r ? 'full_name' THEN v.full_name ELSE c.full_name END,
      email = CASE WHEN r ? 'email' THEN v.email ELSE c.email END,
      phone = CASE WHEN r ? 'phone' THEN v.phone ELSE c.phone END,
      role = CASE WHEN r ? 'role' THEN v.role ELSE c.role END,
      is_primary = CASE WHEN r ? 'is_primary' THEN v.is_primary ELSE c.is_primary END
    WHERE c.contact_id = id;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.external_apply_contact(text, jsonb, bigint) IS
  'Internal: creates or updates a partner contact from an upsert record; returns its contact_id.';

-- A lead enters as new (routing is the channel's); afterwards the CRM may
-- move it only as a partner or the vendor could: accepted, rejected (with a
-- reject_reason code), converted, lost -- through the same functions.
CREATE FUNCTION channel.external_apply_lead(source text, r jsonb, local_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v channel.lead := pg_catalog.jsonb_populate_record(NULL::channel.lead, r);
  id bigint := local_id;
  cur channel.lead_status;
BEGIN
  IF id IS NULL THEN
    IF r ? 'status' AND v.status IS DISTINCT FROM 'new' THEN
      RAISE EXCEPTION 'a lead enters the channel as new, not %', coalesce(v.status::text, 'null')
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Send it as new; the channel routes it, then send its later status changes.';
    END IF;
    INSERT INTO channel.lead (company, contact_name, contact_email, country, product_line, source, campaign,
                              industry, employees, budget, authority, need, timeline_days)
    VALUES (v.company, v.contact_name, v.contact_email, v.country, v.product_line, coalesce(v.source, 'web'),
            v.campaign, v.industry, v.employees, v.budget, v.authority, v.need, v.timeline_days)
    RETURNING lead_id INTO id;
    RETURN id;
  END IF;
  UPDATE channel.lead l SET
    company = CASE WHEN r ? 'company' THEN v.company ELSE l.company END,
    contact_name = CASE WHEN r ? 'contact_name' THEN v.contact_name ELSE l.contact_name END,
    contact_email = CASE WHEN r ? 'contact_email' THEN v.contact_email ELSE l.contact_email END,
    country = CASE WHEN r ? 'country' THEN v.country ELSE l.country END,
    region = CASE WHEN r ? 'country' THEN NULL ELSE l.region END,
    product_line = CASE WHEN r ? 'product_line' THEN v.product_line ELSE l.product_line END,
    source = CASE WHEN r ? 'source' THEN v.source ELSE l.source END,
    campaign = CASE WHEN r ? 'campaign' THEN v.campaign ELSE l.campaign END,
    industry = CASE WHEN r ? 'industry' THEN v.industry ELSE l.industry END,
    employees = CASE WHEN r ? 'employees' THEN v.employees ELSE l.employees END,
    budget = CASE WHEN r ? 'budget' THEN v.budget ELSE l.budget END,
    authority = CASE WHEN r ? 'authority' THEN v.authority ELSE l.authority END,
    need = CASE WHEN r ? 'need' THEN v.need ELSE l.need END,
    timeline_days = CASE WHEN r ? 'timeline_days' THEN v.timeline_days ELSE l.timeline_days END
  WHERE l.lead_id = id
  RETURNING l.status INTO cur;
  IF r ? 'status' AND v.status IS DISTINCT FROM cur THEN
    CASE v.status
      WHEN 'accepted' THEN PERFORM channel.accept_lead(id);
      WHEN 'rejected' THEN PERFORM channel.reject_lead(id, v.reject_reason);
      WHEN 'converted' THEN PERFORM channel.convert_lead(id);
      WHEN 'lost' THEN PERFORM channel.lose_lead(id, v.status_reason);
      ELSE
        RAISE EXCEPTION 'status % of a lead is set by the channel, not by another system', coalesce(v.status::text, 'null')
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = pg_catalog.format('Lead %s is %s.', id, cur),
                HINT = 'Send accepted, rejected (with reject_reason), converted or lost.';
    END CASE;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.external_apply_lead(text, jsonb, bigint) IS
  'Internal: creates a new lead, or updates one and moves its status through accept_lead / reject_lead / convert_lead / lose_lead; returns its lead_id.';

-- A deal is registered through register_deal (validation and conflict
-- detection); a status sent afterwards goes through approve_deal,
-- reject_deal or close_deal.  The customer is fixed at registration.
CREATE FUNCTION channel.external_apply_deal(source text, r jsonb, local_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v channel.deal := pg_catalog.jsonb_populate_record(NULL::channel.deal, r);
  id bigint := local_id;
  d channel.deal;
  partner bigint;
  lead bigint;
BEGIN
  IF v.amount = 'NaN'::numeric THEN
    RAISE EXCEPTION 'amount must be a number, not NaN'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Send the expected deal value.';
  END IF;
  IF r ->> 'partner_ref' IS NOT NULL THEN
    partner := channel.external_local_id('partner', source, r ->> 'partner_ref', 'partner_ref');
  END IF;
  IF r ->> 'lead_ref' IS NOT NULL THEN
    lead := channel.external_local_id('lead', source, r ->> 'lead_ref', 'lead_ref');
  END IF;
  IF id IS NULL THEN
    id := channel.register_deal(partner, v.customer_name, v.customer_country, v.product_line, v.amount, v.expected_close);
    IF r ? 'currency' OR lead IS NOT NULL THEN
      UPDATE channel.deal dl SET currency = coalesce(v.currency, dl.currency), lead_id = lead WHERE dl.deal_id = id;
    END IF;
  ELSE
    SELECT * INTO d FROM channel.deal dl WHERE dl.deal_id = id FOR UPDATE;
    PERFORM channel.external_immutable(r, 'customer_name', d.customer_name);
    PERFORM channel.external_immutable(r, 'customer_country', d.customer_country);
    PERFORM channel.external_immutable(r, 'product_line', d.product_line);
    IF r ? 'partner_ref' AND partner IS DISTINCT FROM d.partner_id THEN
      RAISE EXCEPTION 'partner_ref cannot change once the deal is registered'
        USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Register the opportunity for the other partner.';
    END IF;
    IF (r ? 'amount' AND v.amount IS DISTINCT FROM d.amount) OR (r ? 'currency' AND v.currency IS DISTINCT FROM d.currency)
       OR (r ? 'expected_close' AND v.expected_close IS DISTINCT FROM d.expected_close)
       OR (r ? 'lead_ref' AND lead IS DISTINCT FROM d.lead_id) THEN
      IF d.status NOT IN ('submitted', 'approved', 'conflict') THEN
        RAISE EXCEPTION 'deal % is %: its amount, currency and expected close no longer change', id, d.status
          USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only live registrations are corrected.';
      END IF;
      UPDATE channel.deal dl SET
        amount = CASE WHEN r ? 'amount' THEN v.amount ELSE dl.amount END,
        currency = CASE WHEN r ? 'currency' THEN v.currency ELSE dl.currency END,
        expected_close = CASE WHEN r ? 'expected_close' THEN v.expected_close ELSE dl.expected_close END,
        lead_id = CASE WHEN r ? 'lead_ref' THEN lead ELSE dl.lead_id END
      WHERE dl.deal_id = id;
    END IF;
  END IF;
  IF r ? 'status' THEN
    SELECT * INTO d FROM channel.deal dl WHERE dl.deal_id = id;
    IF v.status IS DISTINCT FROM d.status THEN
      CASE v.status
        WHEN 'approved' THEN PERFORM channel.approve_deal(id);
        WHEN 'rejected' THEN PERFORM channel.reject_deal(id, v.status_reason);
        WHEN 'won' THEN PERFORM channel.close_deal(id, true, CASE WHEN r ? 'amount' THEN v.amount END);
        WHEN 'lost' THEN PERFORM channel.close_deal(id, false);
        ELSE
          RAISE EXCEPTION 'status % of a deal is set by the channel, not by another system', coalesce(v.status::text, 'null')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = pg_catalog.format('Deal %s is %s.', id, d.status),
                  HINT = 'Send approved, rejected (with status_reason), won or lost.';
      END CASE;
    END IF;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.external_apply_deal(text, jsonb, bigint) IS
  'Internal: registers a deal through register_deal, or corrects a live one, and moves its status through approve_deal / reject_deal / close_deal; returns its deal_id.';

-- ---------------------------------------------------------------------------
-- The upsert driver
-- ---------------------------------------------------------------------------
-- Records are taken in reference order (then batch order), so that two
-- batches sharing references lock them in the same order and cannot
-- deadlock; partners without a parent_ref come first, so a batch may carry
-- distributors and their resellers together.
CREATE FUNCTION channel.external_upsert(entity text, source text, records jsonb)
RETURNS TABLE (item integer, ref text, outcome text, local_id bigint, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rec record;
  allowed text[] := channel.external_fields(entity);
  x channel.external_ref;
  mod timestamptz;
  h text;
  id bigint;
  extra text;
  attempt integer;
  msg text;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor''s integrations upsert by external reference'
      USING ERRCODE = 'insufficient_privilege', DETAIL = 'The caller acts for a partner.',
            HINT = 'Use the portal functions for your own records.';
  END IF;
  IF source IS NULL OR source !~ '^[a-z][a-z0-9_.-]{0,39}$' THEN
    RAISE EXCEPTION 'invalid source "%"', coalesce(source, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Name the other system in lower case, e.g. salesforce (letters, digits, _ . -, up to 40).';
  END IF;
  IF records IS NULL OR pg_catalog.jsonb_typeof(records) <> 'array' THEN
    RAISE EXCEPTION 'records must be a JSON array of objects, not %', coalesce(pg_catalog.jsonb_typeof(records), 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Send [{"ref": ..., "modified_at": ..., ...}, ...].';
  END IF;

  FOR rec IN
    SELECT e.r, e.n::integer AS n,
           CASE WHEN pg_catalog.jsonb_typeof(e.r) = 'object' THEN e.r ->> 'ref' END AS ref
    FROM pg_catalog.jsonb_array_elements(records) WITH ORDINALITY AS e(r, n)
    ORDER BY (entity = 'partner' AND pg_catalog.jsonb_typeof(e.r) = 'object' AND e.r ->> 'parent_ref' IS NOT NULL),
             (CASE WHEN pg_catalog.jsonb_typeof(e.r) = 'object' THEN e.r ->> 'ref' END) COLLATE "C", e.n
  LOOP
    item := rec.n; ref := rec.ref; local_id := NULL; reason := NULL; x := NULL;
    IF pg_catalog.jsonb_typeof(rec.r) <> 'object' THEN
      outcome := 'rejected'; reason := 'not a JSON object';
      RETURN NEXT; CONTINUE;
    END IF;
    IF rec.ref IS NULL OR pg_catalog.jsonb_typeof(rec.r -> 'ref') NOT IN ('string', 'number')
       OR pg_catalog.btrim(rec.ref) = '' OR length(rec.ref) > 200 THEN
      outcome := 'rejected'; reason := 'ref is missing, empty or longer than 200 characters';
      RETURN NEXT; CONTINUE;
    END IF;
    SELECT pg_catalog.string_agg(k, ', ' ORDER BY k) INTO extra
    FROM pg_catalog.jsonb_object_keys(rec.r) k WHERE k <> ALL (allowed);
    IF extra IS NOT NULL THEN
      outcome := 'rejected'; reason := 'unknown field(s): ' || extra;
      RETURN NEXT; CONTINUE;
    END IF;
    BEGIN
      mod := (rec.r ->> 'modified_at')::timestamptz;
    EXCEPTION WHEN data_exception THEN
      mod := NULL;
    END;
    IF mod IS NULL OR NOT pg_catalog.isfinite(mod) THEN
      outcome := 'rejected'; reason := 'modified_at is missing or not a finite timestamp';
      RETURN NEXT; CONTINUE;
    END IF;
    h := pg_catalog.md5((rec.r - 'modified_at')::text);

    -- twice at most: a batch creating the same reference concurrently makes
    -- this one wait at the unique index, then apply its record as an update.
    -- The version is checked before any subtransaction, so records that
    -- change nothing (unchanged, stale, conflicting) cost no write at all.
    -- a version already applied (or older) needs no lock: answered from
    -- the committed mapping; anything else is locked and checked again below
    SELECT * INTO x FROM channel.external_ref er
    WHERE er.entity = external_upsert.entity AND er.source = external_upsert.source AND er.external_id = rec.ref;
    IF FOUND AND mod <= x.source_modified_at THEN
      local_id := x.local_id;
      IF mod < x.source_modified_at THEN
        outcome := 'rejected';
        reason := pg_catalog.format('stale: a version modified at %s is already applied', x.source_modified_at);
      ELSIF h = x.record_hash THEN
        outcome := 'unchanged';
      ELSE
        outcome := 'rejected';
        reason := 'conflict: another version with the same modified_at is already applied';
      END IF;
      RETURN NEXT; CONTINUE;
    END IF;
    attempt := 0;
    LOOP
      attempt := attempt + 1;
      SELECT * INTO x FROM channel.external_ref er
      WHERE er.entity = external_upsert.entity AND er.source = external_upsert.source AND er.external_id = rec.ref
      FOR UPDATE;
      IF FOUND THEN
        local_id := x.local_id;
        IF mod < x.source_modified_at THEN
          outcome := 'rejected';
          reason := pg_catalog.format('stale: a version modified at %s is already applied', x.source_modified_at);
          EXIT;
        ELSIF mod = x.source_modified_at THEN
          IF h = x.record_hash THEN
            outcome := 'unchanged';
          ELSE
            outcome := 'rejected';
            reason := 'conflict: another version with the same modified_at is already applied';
          END IF;
          EXIT;
        END IF;
      ELSE
        x := NULL;
      END IF;
      BEGIN
        IF x.local_id IS NOT NULL THEN
          id := CASE entity
            WHEN 'partner' THEN channel.external_apply_partner(source, rec.r, x.local_id)
            WHEN 'contact' THEN channel.external_apply_contact(source, rec.r, x.local_id)
            WHEN 'lead' THEN channel.external_apply_lead(source, rec.r, x.local_id)
            WHEN 'deal' THEN channel.external_apply_deal(source, rec.r, x.local_id) END;
          UPDATE channel.external_ref er SET source_modified_at = mod, record_hash = h, updated_at = now()
          WHERE er.entity = x.entity AND er.source = x.source AND er.external_id = x.external_id;
          outcome := 'updated';
        ELSE
          id := CASE entity
            WHEN 'partner' THEN channel.external_apply_partner(source, rec.r, NULL)
            WHEN 'contact' THEN channel.external_apply_contact(source, rec.r, NULL)
            WHEN 'lead' THEN channel.external_apply_lead(source, rec.r, NULL)
            WHEN 'deal' THEN channel.external_apply_deal(source, rec.r, NULL) END;
          INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
          VALUES (entity, source, rec.ref, id, mod, h);
          local_id := id;
          outcome := 'created';
        END IF;
        EXIT;
      EXCEPTION
        WHEN unique_violation THEN
          GET STACKED DIAGNOSTICS msg = CONSTRAINT_NAME;
          IF msg = 'external_ref_pkey' AND attempt < 2 THEN
            CONTINUE;
          END IF;
          GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
          outcome := 'rejected'; reason := msg;
          EXIT;
        WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
          outcome := 'rejected'; reason := msg;
          EXIT;
      END;
    END LOOP;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION channel.external_upsert(text, text, jsonb) IS
  'Internal driver of the upsert_* functions: applies each record of the array (by external reference of source) in its own subtransaction; one row per record with its outcome.';

-- The public functions: a jsonb array, or a staging table whose columns are
-- the record fields (one row per record).
DO $upserts$
DECLARE
  e text;
BEGIN
  FOREACH e IN ARRAY ARRAY['partner', 'contact', 'lead', 'deal']
  LOOP
    EXECUTE pg_catalog.format($f$
      CREATE FUNCTION channel.upsert_%1$ss(source text, records jsonb)
      RETURNS TABLE (item integer, ref text, outcome text, local_id bigint, reason text)
      LANGUAGE sql VOLATILE
      SET search_path = pg_catalog, pg_temp
      AS $b$ SELECT * FROM channel.external_upsert(%2$L, source, records) $b$$f$, e, e);
    EXECUTE pg_catalog.format($f$
      COMMENT ON FUNCTION channel.upsert_%1$ss(text, jsonb) IS %2$L$f$, e,
      pg_catalog.format('Integrations: creates or updates %ss by external reference of source from a JSON array of records (doc/integration.md), idempotently; returns each record''s item (its 1-based place in the array), ref, outcome (created, updated, unchanged, rejected), local id and rejection reason.', e));
    EXECUTE pg_catalog.format($f$
      CREATE FUNCTION channel.upsert_%1$ss_from(source text, staging regclass)
      RETURNS TABLE (item integer, ref text, outcome text, local_id bigint, reason text)
      LANGUAGE plpgsql VOLATILE
      SET search_path = pg_catalog, pg_temp
      AS $b$
      DECLARE
        records jsonb;
      BEGIN
        EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(s))), ''[]'') FROM %%s s', staging)
          INTO records;
        RETURN QUERY SELECT * FROM channel.external_upsert(%2$L, source, records);
      END
      $b$$f$, e, e);
    EXECUTE pg_catalog.format($f$
      COMMENT ON FUNCTION channel.upsert_%1$ss_from(text, regclass) IS %2$L$f$, e,
      pg_catalog.format('Integrations: upsert_%ss(source, jsonb) over the rows of a staging table whose columns are the record fields (NULL columns are left out of the record); read with the caller''s privileges.', e));
  END LOOP;
END
$upserts$;

REVOKE EXECUTE ON FUNCTION channel.external_fields(text), channel.external_local_id(text, text, text, text),
  channel.external_immutable(jsonb, text, text),
  channel.external_apply_partner(text, jsonb, bigint), channel.external_apply_contact(text, jsonb, bigint),
  channel.external_apply_lead(text, jsonb, bigint), channel.external_apply_deal(text, jsonb, bigint),
  channel.external_upsert(text, text, jsonb),
  channel.upsert_partners(text, jsonb), channel.upsert_partners_from(text, regclass),
  channel.upsert_contacts(text, jsonb), channel.upsert_contacts_from(text, regclass),
  channel.upsert_leads(text, jsonb), channel.upsert_leads_from(text, regclass),
  channel.upsert_deals(text, jsonb), channel.upsert_deals_from(text, regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.external_fields(text), channel.external_local_id(text, text, text, text),
  channel.external_immutable(jsonb, text, text),
  channel.external_apply_partner(text, jsonb, bigint), channel.external_apply_contact(text, jsonb, bigint),
  channel.external_apply_lead(text, jsonb, bigint), channel.external_apply_deal(text, jsonb, bigint),
  channel.external_upsert(text, text, jsonb),
  channel.upsert_partners(text, jsonb), channel.upsert_partners_from(text, regclass),
  channel.upsert_contacts(text, jsonb), channel.upsert_contacts_from(text, regclass),
  channel.upsert_leads(text, jsonb), channel.upsert_leads_from(text, regclass),
  channel.upsert_deals(text, jsonb), channel.upsert_deals_from(text, regclass) TO channel_admin;
GRANT EXECUTE ON FUNCTION channel.external_upsert(text, text, jsonb),
  channel.upsert_partners(text, jsonb), channel.upsert_partners_from(text, regclass),
  channel.upsert_contacts(text, jsonb), channel.upsert_contacts_from(text, regclass),
  channel.upsert_leads(text, jsonb), channel.upsert_leads_from(text, regclass),
  channel.upsert_deals(text, jsonb), channel.upsert_deals_from(text, regclass) TO channel_integration;
