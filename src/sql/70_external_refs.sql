-- 70_external_refs.sql: inbound integration -- idempotent bulk upserts of
-- partners, contacts, leads and deals by the reference another system
-- (a CRM) gives them (doc/integration.md).
--
-- A mapping table keeps the references, so the entity tables are not
-- touched: (entity, source, external_id) -> local id, with the source's own
-- modification time of the version applied and a hash of that version.
-- Each upsert call takes a jsonb array (or a staging table) of records and
-- returns one row per record: created, updated, unchanged or rejected, with
-- the reason.  The records are applied set-based (one statement per kind of
-- write for the whole batch); a batch that fails is halved until the bad
-- record is alone, so it is rejected and the rest are applied.  Status changes go through
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
-- Applying records, set-based
-- ---------------------------------------------------------------------------
-- external_upsert parses a batch into a work table (pg_temp.channel_upsert_work,
-- one row per record), then hands the records to apply as an array of their
-- item numbers: partners, contacts and leads are written with one statement
-- per kind of write for the whole set, their ids drawn beforehand from the
-- table's identity sequence so that the references can be written first (a
-- concurrent batch creating the same reference then waits at the unique
-- index before any other write).  The lifecycle functions (accept_lead,
-- register_deal, close_deal ...) are called once per record that needs them,
-- from one statement.  A set that fails is split in halves until the failing
-- record is alone: it is rejected with the error, the rest are applied.

-- The modified_at of a record, or NULL when it is not a finite timestamp.
CREATE FUNCTION channel.external_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t timestamptz;
BEGIN
  IF value IS NULL OR value !~ '[0-9]' THEN
    RETURN NULL;
  END IF;
  t := value::timestamptz;
  RETURN CASE WHEN pg_catalog.isfinite(t) THEN t END;
EXCEPTION WHEN data_exception THEN
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.external_timestamptz(text) IS
  'Internal: a record''s modified_at as timestamptz, NULL when missing, not a timestamp or not finite.';

-- Raises the error of the first record of the set that names an unknown
-- partner_ref / parent_ref / lead_ref (the rejection its record gets).
CREATE FUNCTION channel.external_check_refs(source text, field text, entity text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  missing text;
BEGIN
  SELECT w.r ->> field INTO missing
  FROM pg_temp.channel_upsert_work w
  WHERE w.sel AND w.r ->> field IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM channel.external_ref x
                    WHERE x.entity = external_check_refs.entity AND x.source = external_check_refs.source
                      AND x.external_id = w.r ->> field)
  ORDER BY w.ref COLLATE "C" LIMIT 1;
  IF FOUND THEN
    PERFORM channel.external_local_id(entity, source, missing, field);
  END IF;
END
$$;
COMMENT ON FUNCTION channel.external_check_refs(text, text, text) IS
  'Internal: raises foreign_key_violation for the first record of the set whose field names an unknown reference of entity.';

-- The ids of the new rows of the set, drawn from the entity's identity
-- sequence, and their references written first.
CREATE FUNCTION channel.external_claim_new(entity text, source text, seq regclass) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE pg_temp.channel_upsert_work w SET new_id = pg_catalog.nextval(seq)
  WHERE w.sel AND w.local_id IS NULL;
  INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
  SELECT entity, source, w.ref, w.new_id, w.mod, w.h
  FROM pg_temp.channel_upsert_work w WHERE w.sel AND w.local_id IS NULL
  ORDER BY w.ref COLLATE "C";
END
$$;
COMMENT ON FUNCTION channel.external_claim_new(text, text, regclass) IS
  'Internal: draws the local ids of the set''s new records from seq and inserts their references (in reference order).';

-- The references of the set's existing rows move to the applied version,
-- and every record of the set gets its outcome.
CREATE FUNCTION channel.external_finish(entity text, source text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE channel.external_ref x SET source_modified_at = w.mod, record_hash = w.h, updated_at = now()
  FROM pg_temp.channel_upsert_work w
  WHERE w.sel AND w.local_id IS NOT NULL
    AND x.entity = external_finish.entity AND x.source = external_finish.source AND x.external_id = w.ref;
END
$$;
COMMENT ON FUNCTION channel.external_finish(text, text) IS
  'Internal: records the applied versions of the set''s existing rows in channel.external_ref (its records are then created or updated: external_upsert reports them so, the work table is not written again).';

CREATE FUNCTION channel.external_apply_partners(source text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- a reseller and its distributor may come in one batch: the records whose
  -- parent is known go first, then those whose parent that made known ...
  UPDATE pg_temp.channel_upsert_work w SET wait = true, sel = false WHERE w.sel;
  LOOP
    UPDATE pg_temp.channel_upsert_work w SET sel = true, wait = false
    WHERE w.wait
      AND (w.r ->> 'parent_ref' IS NULL
           OR EXISTS (SELECT 1 FROM channel.external_ref x
                      WHERE x.entity = 'partner' AND x.source = external_apply_partners.source
                        AND x.external_id = w.r ->> 'parent_ref'));
    EXIT WHEN NOT FOUND;
    PERFORM channel.external_claim_new('partner', source, 'channel.partner_partner_id_seq'::regclass);
    INSERT INTO channel.partner (partner_id, name, kind, tier, status, country, region, parent_id, max_open_leads, website)
    SELECT w.new_id, v.name, coalesce(v.kind, 'reseller'), coalesce(v.tier, 'registered'), coalesce(v.status, 'prospect'),
           v.country, v.region, par.local_id, coalesce(v.max_open_leads, 25), v.website
    FROM pg_temp.channel_upsert_work w
    CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.partner, w.r) v
    LEFT JOIN channel.external_ref par
      ON par.entity = 'partner' AND par.source = external_apply_partners.source AND par.external_id = w.r ->> 'parent_ref'
    WHERE w.sel AND w.local_id IS NULL
    ORDER BY w.ref COLLATE "C";
    UPDATE channel.partner p SET
      name = CASE WHEN s.r ? 'name' THEN s.name ELSE p.name END,
      kind = CASE WHEN s.r ? 'kind' THEN s.kind ELSE p.kind END,
      tier = CASE WHEN s.r ? 'tier' THEN s.tier ELSE p.tier END,
      status = CASE WHEN s.r ? 'status' THEN s.status ELSE p.status END,
      country = CASE WHEN s.r ? 'country' THEN s.country ELSE p.country END,
      region = CASE WHEN s.r ? 'region' THEN s.region WHEN s.r ? 'country' THEN NULL ELSE p.region END,
      parent_id = CASE WHEN s.r ? 'parent_ref' THEN s.parent ELSE p.parent_id END,
      max_open_leads = CASE WHEN s.r ? 'max_open_leads' THEN s.max_open_leads ELSE p.max_open_leads END,
      website = CASE WHEN s.r ? 'website' THEN s.website ELSE p.website END
    FROM (SELECT w.local_id AS id, w.r, v.*, par.local_id AS parent
          FROM pg_temp.channel_upsert_work w
          CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.partner, w.r) v
          LEFT JOIN channel.external_ref par
            ON par.entity = 'partner' AND par.source = external_apply_partners.source AND par.external_id = w.r ->> 'parent_ref'
          WHERE w.sel AND w.local_id IS NOT NULL) s
    WHERE p.partner_id = s.id;
    PERFORM channel.external_finish('partner', source);
    UPDATE pg_temp.channel_upsert_work w SET sel = false WHERE w.sel;
  END LOOP;
  UPDATE pg_temp.channel_upsert_work w SET sel = true, wait = false WHERE w.wait;
  PERFORM channel.external_check_refs(source, 'parent_ref', 'partner');
END
$$;
COMMENT ON FUNCTION channel.external_apply_partners(text) IS
  'Internal: creates or updates the partners of a set of upsert records, parents before the partners naming them.';

CREATE FUNCTION channel.external_apply_contacts(source text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM channel.external_check_refs(source, 'partner_ref', 'partner');
  IF EXISTS (SELECT 1 FROM pg_temp.channel_upsert_work w
             WHERE w.sel AND w.local_id IS NULL AND w.r ->> 'partner_ref' IS NULL) THEN
    RAISE EXCEPTION 'partner_ref is required for a new contact'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the partner the person works for.';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_temp.channel_upsert_work w
             JOIN channel.partner_contact c ON c.contact_id = w.local_id
             LEFT JOIN channel.external_ref par
               ON par.entity = 'partner' AND par.source = external_apply_contacts.source AND par.external_id = w.r ->> 'partner_ref'
             WHERE w.sel AND w.r ? 'partner_ref' AND par.local_id IS DISTINCT FROM c.partner_id) THEN
    RAISE EXCEPTION 'partner_ref cannot change once the contact exists'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A person moving to another partner is a new contact there.';
  END IF;
  PERFORM channel.external_claim_new('contact', source, 'channel.partner_contact_contact_id_seq'::regclass);
  INSERT INTO channel.partner_contact (contact_id, partner_id, full_name, email, phone, role, is_primary)
  SELECT w.new_id, par.local_id, v.full_name, v.email, v.phone, coalesce(v.role, 'sales'), coalesce(v.is_primary, false)
  FROM pg_temp.channel_upsert_work w
  CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.partner_contact, w.r) v
  JOIN channel.external_ref par
    ON par.entity = 'partner' AND par.source = external_apply_contacts.source AND par.external_id = w.r ->> 'partner_ref'
  WHERE w.sel AND w.local_id IS NULL
  ORDER BY w.ref COLLATE "C";
  UPDATE channel.partner_contact c SET
    full_name = CASE WHEN s.r ? 'full_name' THEN s.full_name ELSE c.full_name END,
    email = CASE WHEN s.r ? 'email' THEN s.email ELSE c.email END,
    phone = CASE WHEN s.r ? 'phone' THEN s.phone ELSE c.phone END,
    role = CASE WHEN s.r ? 'role' THEN s.role ELSE c.role END,
    is_primary = CASE WHEN s.r ? 'is_primary' THEN s.is_primary ELSE c.is_primary END
  FROM (SELECT w.local_id AS id, w.r, v.*
        FROM pg_temp.channel_upsert_work w
        CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.partner_contact, w.r) v
        WHERE w.sel AND w.local_id IS NOT NULL) s
  WHERE c.contact_id = s.id;
  PERFORM channel.external_finish('contact', source);
END
$$;
COMMENT ON FUNCTION channel.external_apply_contacts(text) IS
  'Internal: creates or updates the partner contacts of a set of upsert records (the partner is fixed at creation).';

-- A lead's status sent by another system, through the function a partner
-- or the vendor would call.
CREATE FUNCTION channel.external_lead_status(lead_id bigint, status channel.lead_status, reject_reason text,
                                             status_reason text, current channel.lead_status) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  CASE status
    WHEN 'accepted' THEN PERFORM channel.accept_lead(lead_id);
    WHEN 'rejected' THEN PERFORM channel.reject_lead(lead_id, reject_reason);
    WHEN 'converted' THEN PERFORM channel.convert_lead(lead_id);
    WHEN 'lost' THEN PERFORM channel.lose_lead(lead_id, status_reason);
    ELSE
      RAISE EXCEPTION 'status % of a lead is set by the channel, not by another system', coalesce(status::text, 'null')
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = pg_catalog.format('Lead %s is %s.', lead_id, current),
              HINT = 'Send accepted, rejected (with reject_reason), converted or lost.';
  END CASE;
END
$$;
COMMENT ON FUNCTION channel.external_lead_status(bigint, channel.lead_status, text, text, channel.lead_status) IS
  'Internal: moves a lead to the status an upsert record sends, through accept_lead / reject_lead / convert_lead / lose_lead.';

-- A lead enters as new (routing is the channel's); afterwards the CRM may
-- move it only as a partner or the vendor could: accepted, rejected (with a
-- reject_reason code), converted, lost -- through the same functions.
CREATE FUNCTION channel.external_apply_leads(source text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  bad text;
BEGIN
  SELECT coalesce(v.status::text, 'null') INTO bad
  FROM pg_temp.channel_upsert_work w
  CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.lead, w.r) v
  WHERE w.sel AND w.local_id IS NULL AND w.r ? 'status' AND v.status IS DISTINCT FROM 'new'
  ORDER BY w.ref COLLATE "C" LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a lead enters the channel as new, not %', bad
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Send it as new; the channel routes it, then send its later status changes.';
  END IF;
  -- the new leads' ids drawn first, their references and rows written by
  -- one statement (the work table keeps no copy: external_upsert reads the
  -- id back from the reference)
  WITH ids AS MATERIALIZED (
    SELECT w.ref, w.r, w.mod, w.h, pg_catalog.nextval('channel.lead_lead_id_seq'::regclass) AS id
    FROM pg_temp.channel_upsert_work w WHERE w.sel AND w.local_id IS NULL
    ORDER BY w.ref COLLATE "C"),
  refs AS (
    INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
    SELECT 'lead', external_apply_leads.source, i.ref, i.id, i.mod, i.h FROM ids i)
  INSERT INTO channel.lead (lead_id, company, contact_name, contact_email, country, product_line, source, campaign,
                            industry, employees, budget, authority, need, timeline_days)
  SELECT i.id, v.company, v.contact_name, v.contact_email, v.country, v.product_line, coalesce(v.source, 'web'),
         v.campaign, v.industry, v.employees, v.budget, v.authority, v.need, v.timeline_days
  FROM ids i
  CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.lead, i.r) v
  ORDER BY i.ref COLLATE "C";
  UPDATE channel.lead l SET
    company = CASE WHEN s.r ? 'company' THEN s.company ELSE l.company END,
    contact_name = CASE WHEN s.r ? 'contact_name' THEN s.contact_name ELSE l.contact_name END,
    contact_email = CASE WHEN s.r ? 'contact_email' THEN s.contact_email ELSE l.contact_email END,
    country = CASE WHEN s.r ? 'country' THEN s.country ELSE l.country END,
    region = CASE WHEN s.r ? 'country' THEN NULL ELSE l.region END,
    product_line = CASE WHEN s.r ? 'product_line' THEN s.product_line ELSE l.product_line END,
    source = CASE WHEN s.r ? 'source' THEN s.source ELSE l.source END,
    campaign = CASE WHEN s.r ? 'campaign' THEN s.campaign ELSE l.campaign END,
    industry = CASE WHEN s.r ? 'industry' THEN s.industry ELSE l.industry END,
    employees = CASE WHEN s.r ? 'employees' THEN s.employees ELSE l.employees END,
    budget = CASE WHEN s.r ? 'budget' THEN s.budget ELSE l.budget END,
    authority = CASE WHEN s.r ? 'authority' THEN s.authority ELSE l.authority END,
    need = CASE WHEN s.r ? 'need' THEN s.need ELSE l.need END,
    timeline_days = CASE WHEN s.r ? 'timeline_days' THEN s.timeline_days ELSE l.timeline_days END
  FROM (SELECT w.local_id AS id, w.r, v.*
        FROM pg_temp.channel_upsert_work w
        CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.lead, w.r) v
        -- a status-only record writes no row here (the lifecycle function does)
        WHERE w.sel AND w.local_id IS NOT NULL
          AND (w.r - ARRAY['ref', 'modified_at', 'status', 'reject_reason', 'status_reason']) <> '{}') s
  WHERE l.lead_id = s.id;
  PERFORM channel.external_lead_status(s.id, s.status, s.reject_reason, s.status_reason, s.current)
  FROM (SELECT w.local_id AS id, w.ref, v.status, v.reject_reason, v.status_reason, l.status AS current
        FROM pg_temp.channel_upsert_work w
        CROSS JOIN LATERAL pg_catalog.jsonb_populate_record(NULL::channel.lead, w.r) v
        JOIN channel.lead l ON l.lead_id = w.local_id
        WHERE w.sel AND w.r ? 'status' AND v.status IS DISTINCT FROM l.status
        ORDER BY w.ref COLLATE "C") s;
  PERFORM channel.external_finish('lead', source);
END
$$;
COMMENT ON FUNCTION channel.external_apply_leads(text) IS
  'Internal: creates the new leads of a set of upsert records (status new), updates the others and moves their status through the lifecycle functions.';

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


-- Deals register one by one through register_deal (its conflict detection
-- sees the registrations before it), from one statement.
CREATE FUNCTION channel.external_apply_deals(source text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE pg_temp.channel_upsert_work w SET new_id = d.id
  FROM (SELECT w2.n, channel.external_apply_deal(source, w2.r, w2.local_id) AS id
        FROM pg_temp.channel_upsert_work w2 WHERE w2.sel
        ORDER BY w2.ref COLLATE "C") d
  WHERE w.n = d.n;
  INSERT INTO channel.external_ref (entity, source, external_id, local_id, source_modified_at, record_hash)
  SELECT 'deal', source, w.ref, w.new_id, w.mod, w.h
  FROM pg_temp.channel_upsert_work w WHERE w.sel AND w.local_id IS NULL
  ORDER BY w.ref COLLATE "C";
  PERFORM channel.external_finish('deal', source);
END
$$;
COMMENT ON FUNCTION channel.external_apply_deals(text) IS
  'Internal: registers or corrects the deals of a set of upsert records through external_apply_deal, in reference order.';

-- ---------------------------------------------------------------------------
-- The upsert driver
-- ---------------------------------------------------------------------------
-- The version of each pending record of the set against its committed
-- reference: older is stale, the same time is unchanged (same content) or a
-- conflict; with lock, the references to be updated are locked first, in
-- reference order (two batches sharing references cannot deadlock), and
-- read again once locked.
CREATE FUNCTION channel.external_classify(entity text, source text, lock boolean) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF lock THEN
    PERFORM 1 FROM channel.external_ref x
    WHERE x.entity = external_classify.entity AND x.source = external_classify.source
      AND x.external_id IN (SELECT w.ref FROM pg_temp.channel_upsert_work w WHERE w.sel AND w.outcome IS NULL)
    ORDER BY x.external_id COLLATE "C"
    FOR UPDATE;
  END IF;
  UPDATE pg_temp.channel_upsert_work w
  SET local_id = x.local_id,
      outcome = CASE WHEN w.mod < x.source_modified_at OR (w.mod = x.source_modified_at AND w.h <> x.record_hash) THEN 'rejected'
                     WHEN w.mod = x.source_modified_at THEN 'unchanged' END,
      reason = CASE WHEN w.mod < x.source_modified_at
                      THEN pg_catalog.format('stale: a version modified at %s is already applied', x.source_modified_at)
                    WHEN w.mod = x.source_modified_at AND w.h <> x.record_hash
                      THEN 'conflict: another version with the same modified_at is already applied' END
  FROM channel.external_ref x
  WHERE w.sel AND w.outcome IS NULL
    AND x.entity = external_classify.entity AND x.source = external_classify.source AND x.external_id = w.ref
    -- a record already mapped and still newer is left as it is (no rewrite)
    AND (w.local_id IS DISTINCT FROM x.local_id OR w.mod <= x.source_modified_at);
END
$$;
COMMENT ON FUNCTION channel.external_classify(text, text, boolean) IS
  'Internal: maps the pending records of a set to their references and answers those not newer than the applied version (stale, unchanged, conflict); locks the references first with lock.';

-- Applies a set in a subtransaction; a set that fails is split in halves
-- until the record at fault is alone, and that one is rejected with the
-- error.  A lone record whose reference a concurrent batch created meanwhile
-- (it waited at the unique index) is classified again and applied as an
-- update of that row, once.
CREATE FUNCTION channel.external_apply_try(entity text, source text, lo integer, hi integer, retried boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  msg text;
  cons text;
  state text;
  mid integer;
BEGIN
  IF lo > hi THEN
    RETURN;
  END IF;
  BEGIN
    UPDATE pg_temp.channel_upsert_work w SET sel = NOT w.sel
    WHERE w.sel IS DISTINCT FROM coalesce(w.pos BETWEEN lo AND hi AND w.outcome IS NULL, false);
    -- the planner must know how many records the set holds (a join of 10,000
    -- rows planned for one is a nested loop over the whole entity table)
    ANALYZE pg_temp.channel_upsert_work;
    CASE entity
      WHEN 'partner' THEN PERFORM channel.external_apply_partners(source);
      WHEN 'contact' THEN PERFORM channel.external_apply_contacts(source);
      WHEN 'lead' THEN PERFORM channel.external_apply_leads(source);
      WHEN 'deal' THEN PERFORM channel.external_apply_deals(source);
    END CASE;
    RETURN;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, cons = CONSTRAINT_NAME, state = RETURNED_SQLSTATE;
  END;
  IF hi > lo THEN
    mid := (lo + hi) / 2;
    PERFORM channel.external_apply_try(entity, source, lo, mid);
    PERFORM channel.external_apply_try(entity, source, mid + 1, hi);
  ELSIF state = '23505' AND cons = 'external_ref_pkey' AND NOT retried THEN
    UPDATE pg_temp.channel_upsert_work w SET sel = (w.pos = lo) WHERE w.sel OR w.pos = lo;
    PERFORM channel.external_classify(entity, source, true);
    PERFORM channel.external_apply_try(entity, source, lo, hi, true);
  ELSE
    UPDATE pg_temp.channel_upsert_work w SET outcome = 'rejected', reason = msg, sel = false
    WHERE w.pos = lo AND w.outcome IS NULL;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.external_apply_try(text, text, integer, integer, boolean) IS
  'Internal: applies a set of upsert records in a subtransaction, halving a failing set until the record at fault is alone and rejected with its error.';

CREATE FUNCTION channel.external_upsert(entity text, source text, records jsonb)
RETURNS TABLE (item integer, ref text, outcome text, local_id bigint, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  allowed text[] := channel.external_fields(entity);
  rounds integer;
  first integer;
  last integer;
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

  -- one work row per record; the checks of its shape are answered here
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_class t
             WHERE t.relname = 'channel_upsert_work' AND t.relnamespace = pg_catalog.pg_my_temp_schema()) THEN
    DROP TABLE pg_temp.channel_upsert_work;
  END IF;
  CREATE TEMPORARY TABLE channel_upsert_work (
    n integer PRIMARY KEY, ref text, r jsonb, mod timestamptz, h text, round integer, pos integer,
    sel boolean NOT NULL DEFAULT false, wait boolean NOT NULL DEFAULT false,
    local_id bigint, new_id bigint, outcome text, reason text) ON COMMIT DROP;
  CREATE INDEX ON pg_temp.channel_upsert_work (pos);
  CREATE INDEX ON pg_temp.channel_upsert_work (ref);
  -- records sharing a reference go in rounds, in array order (round 1 first)
  -- and in each round, in the order of application (pos): partners without
  -- a parent_ref first, then by reference, so a round is a range of pos
  INSERT INTO pg_temp.channel_upsert_work (n, ref, r, mod, h, outcome, reason, round, sel, pos)
  SELECT k.n, k.ref, k.r, k.mod, CASE WHEN k.why IS NULL THEN pg_catalog.md5((k.r - 'modified_at')::text) END,
         CASE WHEN k.why IS NOT NULL THEN 'rejected' END, k.why, k.round, coalesce(k.round = 1, false),
         CASE WHEN k.why IS NULL THEN
           pg_catalog.row_number() OVER (ORDER BY k.why IS NULL DESC, k.round,
                                         (entity = 'partner' AND k.r ->> 'parent_ref' IS NOT NULL), k.ref COLLATE "C") END
  FROM (SELECT c.*, CASE WHEN c.why IS NULL THEN
                 pg_catalog.row_number() OVER (PARTITION BY c.why IS NULL, c.ref ORDER BY c.n)::integer END AS round
  FROM (SELECT x.n, x.r, x.ref, m.mod,
               CASE WHEN NOT x.is_object THEN 'not a JSON object'
                    WHEN x.ref IS NULL OR pg_catalog.jsonb_typeof(x.r -> 'ref') NOT IN ('string', 'number')
                         OR pg_catalog.btrim(x.ref) = '' OR length(x.ref) > 200
                      THEN 'ref is missing, empty or longer than 200 characters'
                    WHEN x.extra IS NOT NULL THEN 'unknown field(s): ' || x.extra
                    WHEN m.mod IS NULL THEN 'modified_at is missing or not a finite timestamp' END AS why
        FROM (SELECT e.n::integer AS n, e.r, pg_catalog.jsonb_typeof(e.r) = 'object' AS is_object,
                     CASE WHEN pg_catalog.jsonb_typeof(e.r) = 'object' THEN e.r ->> 'ref' END AS ref,
                     -- the keys left once the allowed ones are taken out
                     CASE WHEN pg_catalog.jsonb_typeof(e.r) = 'object' AND (e.r - allowed) <> '{}' THEN
                       (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k) FROM pg_catalog.jsonb_object_keys(e.r - allowed) k)
                     END AS extra
              FROM pg_catalog.jsonb_array_elements(records) WITH ORDINALITY AS e(r, n)
              OFFSET 0) x
        -- an ISO 8601 time that is valid in every month is cast at once; any
        -- other text goes through the function that turns an error into NULL
        CROSS JOIN LATERAL (SELECT CASE WHEN NOT x.is_object OR x.extra IS NOT NULL THEN NULL
                                        WHEN x.r ->> 'modified_at' ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?$'
                                          THEN (x.r ->> 'modified_at')::timestamptz
                                        ELSE channel.external_timestamptz(x.r ->> 'modified_at') END AS mod OFFSET 0) m
        OFFSET 0) c) k;
  SELECT max(w.round) INTO rounds FROM pg_temp.channel_upsert_work w;

  FOR k IN 1..coalesce(rounds, 0) LOOP
    IF k > 1 THEN
      UPDATE pg_temp.channel_upsert_work w SET sel = (w.round = k) WHERE w.sel OR w.round = k;
    END IF;
    ANALYZE pg_temp.channel_upsert_work;
    -- versions already applied need no lock, then the rest is locked and read again
    PERFORM channel.external_classify(entity, source, false);
    PERFORM channel.external_classify(entity, source, true);
    SELECT min(w.pos), max(w.pos) INTO first, last FROM pg_temp.channel_upsert_work w
    WHERE w.round = k AND w.outcome IS NULL;
    IF first IS NOT NULL THEN
      PERFORM channel.external_apply_try(entity, source, first, last);
    END IF;
  END LOOP;

  -- a record without an outcome was applied: created (its id is in its
  -- new reference) or updated
  RETURN QUERY
    SELECT w.n, w.ref,
           coalesce(w.outcome, CASE WHEN w.local_id IS NULL THEN 'created' ELSE 'updated' END),
           coalesce(w.local_id, w.new_id, x.local_id), w.reason
    FROM pg_temp.channel_upsert_work w
    LEFT JOIN channel.external_ref x
      ON w.outcome IS NULL AND w.local_id IS NULL AND w.new_id IS NULL
     AND x.entity = external_upsert.entity AND x.source = external_upsert.source AND x.external_id = w.ref
    ORDER BY w.n;
  DROP TABLE pg_temp.channel_upsert_work;
END
$$;
COMMENT ON FUNCTION channel.external_upsert(text, text, jsonb) IS
  'Internal driver of the upsert_* functions: applies the records of the array (by external reference of source) set-based, a failing record rejected alone; one row per record with its outcome.';


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
  channel.external_immutable(jsonb, text, text), channel.external_timestamptz(text),
  channel.external_check_refs(text, text, text), channel.external_claim_new(text, text, regclass),
  channel.external_finish(text, text), channel.external_apply_partners(text),
  channel.external_apply_contacts(text),
  channel.external_lead_status(bigint, channel.lead_status, text, text, channel.lead_status),
  channel.external_apply_leads(text), channel.external_apply_deal(text, jsonb, bigint),
  channel.external_apply_deals(text), channel.external_classify(text, text, boolean),
  channel.external_apply_try(text, text, integer, integer, boolean),
  channel.external_upsert(text, text, jsonb),
  channel.upsert_partners(text, jsonb), channel.upsert_partners_from(text, regclass),
  channel.upsert_contacts(text, jsonb), channel.upsert_contacts_from(text, regclass),
  channel.upsert_leads(text, jsonb), channel.upsert_leads_from(text, regclass),
  channel.upsert_deals(text, jsonb), channel.upsert_deals_from(text, regclass) FROM PUBLIC;
-- who may run this piece's functions besides channel_admin (00_registry.sql):
-- integrations the upsert functions (external_upsert runs as the owner;
-- the upsert_* wrappers run as the caller and call it)
INSERT INTO channel.role_routine (role_name, routine_name)
SELECT 'channel_integration', f FROM pg_catalog.unnest(ARRAY[
  'external_upsert', 'upsert_partners', 'upsert_partners_from', 'upsert_contacts', 'upsert_contacts_from',
  'upsert_leads', 'upsert_leads_from', 'upsert_deals', 'upsert_deals_from']::name[]) AS f;
