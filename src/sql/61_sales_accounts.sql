-- 61_sales_accounts.sql: registrations and leads reference the end-customer
-- master (doc/channel_data.md, "End customers of registrations and leads"),
-- so that a customer is one account across deals, leads and sell-through:
-- the closed loop reads it, and account-centric routing
-- (channel.account_routing, doc/leads.md) gives a lead to the partner that
-- already holds its customer.
--
-- A registration or lead is matched when it comes in (and when its customer
-- name or country changes) by channel.end_customer_of(): a spelling seen
-- before is one lookup of channel.end_customer_alias; a new spelling is
-- normalized and matched like a sell-through line's (same key, else
-- company_similarity >= channel.match_threshold through the blocking keys),
-- or becomes a new end customer.

ALTER TABLE channel.deal ADD COLUMN end_customer_id bigint
  CONSTRAINT deal_end_customer_id_fkey REFERENCES channel.end_customer (end_customer_id) ON DELETE SET NULL;
COMMENT ON COLUMN channel.deal.end_customer_id IS
  'The end customer of the registration (channel.end_customer), matched from customer_name and customer_country when the registration comes in or its customer changes; NULL only if its end customer was deleted.';
ALTER TABLE channel.lead ADD COLUMN end_customer_id bigint
  CONSTRAINT lead_end_customer_id_fkey REFERENCES channel.end_customer (end_customer_id) ON DELETE SET NULL;
COMMENT ON COLUMN channel.lead.end_customer_id IS
  'The end customer of the lead (channel.end_customer), matched from company and country when the lead comes in or its company changes: the account routing and the closed loop see.';
CREATE INDEX deal_end_customer_idx ON channel.deal (end_customer_id, product_line) WHERE end_customer_id IS NOT NULL;
COMMENT ON INDEX channel.deal_end_customer_idx IS
  'Registrations of an end customer and product line: the account holder a lead is routed to first.';
CREATE INDEX lead_end_customer_idx ON channel.lead (end_customer_id, product_line) WHERE end_customer_id IS NOT NULL;
COMMENT ON INDEX channel.lead_end_customer_idx IS
  'Leads of an end customer and product line: the partner that accepted one already holds the account.';

-- The key locks of a new spelling (src/deal_lock.c): one per blocking-key
-- range its lookup searches, so that two sessions creating end customers
-- whose names could match serialize, and unrelated ones do not.
CREATE FUNCTION channel.end_customer_lock(country text, keys text[]) RETURNS void
AS 'MODULE_PATHNAME', 'channel_end_customer_lock'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION channel.end_customer_lock(text, text[]) IS
  'Takes, until the end of the transaction, the advisory locks of the end-customer master for a new spelling with these blocking keys (of one name, with the head "country|"): one per key range the end-customer lookup searches, so that two names whose keys meet share one, then the country''s lock (pg_advisory_xact_lock(17221, hashtext(country)), which channel.resolve_end_customers() takes exclusive) in share mode -- or that lock exclusive once the transaction has taken 64 key locks. Under REPEATABLE READ or SERIALIZABLE a lock that must be waited for is a serialization failure. For channel.end_customer_of().';

-- One spelling to its end customer, creating it when nothing matches.
-- The country's advisory lock (the one channel.resolve_end_customers()
-- takes exclusive) is taken in share mode, after the key locks of the
-- name, only for a spelling not seen before, before the key and similarity
-- lookups, so that two sessions cannot both create a customer.
CREATE FUNCTION channel.end_customer_of(country text, name text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  thr float4 := coalesce(nullif(pg_catalog.current_setting('channel.match_threshold', true), '')::float4, 0.85);
  c text := pg_catalog.upper(pg_catalog.btrim(end_customer_of.country));
  n text := end_customer_of.name;
  id bigint;
  key text;
  keys text[];
  s real := 1;
  how text := 'key';
BEGIN
  IF c IS NULL OR n IS NULL OR pg_catalog.btrim(n) = '' OR pg_catalog.length(n) > 300 THEN
    RETURN NULL;
  END IF;
  SELECT a.end_customer_id INTO id FROM channel.end_customer_alias a WHERE a.country = c AND a.name = n;
  IF FOUND THEN
    RETURN id;
  END IF;
  key := channel.normalize_company(n);
  IF key IS NULL OR key = '' OR NOT EXISTS (SELECT 1 FROM channel.country co WHERE co.code = c) THEN
    RETURN NULL;
  END IF;
  keys := ARRAY(SELECT c || '|' || x FROM pg_catalog.unnest(channel.company_match_keys(key)) x);
  -- the key locks of the name, then the country's lock in share mode: a
  -- session creating a customer whose name could match waits, one creating
  -- an unrelated customer does not
  PERFORM channel.end_customer_lock(c, keys);
  SELECT e.end_customer_id INTO id FROM channel.end_customer e WHERE e.country = c AND e.customer_key = key;
  IF NOT FOUND THEN
    SELECT m.end_customer_id, channel.company_similarity(m.customer_key, key) INTO id, s
    FROM channel.end_customers_meeting(keys) m
    ORDER BY 2 DESC, 1 LIMIT 1;
    how := 'fuzzy';
    IF id IS NULL OR s < thr THEN
      INSERT INTO channel.end_customer (name, country, customer_key, match_keys)
      VALUES (n, c, key, keys) RETURNING end_customer_id INTO id;
      s := 1;
      how := 'new';
    END IF;
  END IF;
  INSERT INTO channel.end_customer_alias (country, name, end_customer_id, match, score)
  VALUES (c, n, id, how, greatest(s, 0.0001))
  ON CONFLICT ON CONSTRAINT end_customer_alias_pkey DO NOTHING;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.end_customer_of(text, text) IS
  'The end customer a spelling (name, country) denotes: a known spelling (channel.end_customer_alias), else the customer of the same normalized name, else the most similar one at or above channel.match_threshold, else a new end customer; the spelling is kept as an alias. NULL for a blank name, a name with no letter or digit, or an unknown country.';

CREATE FUNCTION channel.deal_end_customer() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  NEW.end_customer_id := channel.end_customer_of(NEW.customer_country, NEW.customer_name);
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.deal_end_customer() IS
  'Trigger: sets end_customer_id of a registration from its customer name and country (channel.end_customer_of).';
CREATE TRIGGER deal_end_customer_insert BEFORE INSERT ON channel.deal
  FOR EACH ROW WHEN (NEW.end_customer_id IS NULL AND NOT channel.restoring()) EXECUTE FUNCTION channel.deal_end_customer();
COMMENT ON TRIGGER deal_end_customer_insert ON channel.deal IS
  'Matches a new registration''s customer to the end-customer master (unless the writer named it).';
CREATE TRIGGER deal_end_customer_update BEFORE UPDATE OF customer_name, customer_country ON channel.deal
  FOR EACH ROW WHEN (OLD.customer_name IS DISTINCT FROM NEW.customer_name
                     OR OLD.customer_country IS DISTINCT FROM NEW.customer_country)
  EXECUTE FUNCTION channel.deal_end_customer();
COMMENT ON TRIGGER deal_end_customer_update ON channel.deal IS
  'Matches the customer of a registration again when its name or country changes.';

CREATE FUNCTION channel.lead_end_customer() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  NEW.end_customer_id := channel.end_customer_of(NEW.country, NEW.company);
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.lead_end_customer() IS
  'Trigger: sets end_customer_id of a lead from its company and country (channel.end_customer_of).';
CREATE TRIGGER lead_end_customer_insert BEFORE INSERT ON channel.lead
  FOR EACH ROW WHEN (NEW.end_customer_id IS NULL AND NOT channel.restoring()) EXECUTE FUNCTION channel.lead_end_customer();
COMMENT ON TRIGGER lead_end_customer_insert ON channel.lead IS
  'Matches a new lead''s company to the end-customer master (unless the writer named it).';
CREATE TRIGGER lead_end_customer_update BEFORE UPDATE OF company, country ON channel.lead
  FOR EACH ROW WHEN (OLD.company IS DISTINCT FROM NEW.company OR OLD.country IS DISTINCT FROM NEW.country)
  EXECUTE FUNCTION channel.lead_end_customer();
COMMENT ON TRIGGER lead_end_customer_update ON channel.lead IS
  'Matches the company of a lead again when its name or country changes.';

-- Rows without an end customer: every distinct spelling resolved once, then
-- the rows that carry it.
CREATE FUNCTION channel.link_end_customers() RETURNS TABLE (deals bigint, leads bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  WITH m AS MATERIALIZED (
    SELECT x.country, x.name, channel.end_customer_of(x.country, x.name) AS id
    FROM (SELECT DISTINCT d.customer_country::text AS country, d.customer_name AS name
          FROM channel.deal d WHERE d.end_customer_id IS NULL ORDER BY 1, 2) x
  ), u AS (
    UPDATE channel.deal d SET end_customer_id = m.id
    FROM m WHERE d.end_customer_id IS NULL AND d.customer_country = m.country AND d.customer_name = m.name
      AND m.id IS NOT NULL
    RETURNING 1)
  SELECT count(*) INTO deals FROM u;
  WITH m AS MATERIALIZED (
    SELECT x.country, x.name, channel.end_customer_of(x.country, x.name) AS id
    FROM (SELECT DISTINCT l.country::text AS country, l.company AS name
          FROM channel.lead l WHERE l.end_customer_id IS NULL ORDER BY 1, 2) x
  ), u AS (
    UPDATE channel.lead l SET end_customer_id = m.id
    FROM m WHERE l.end_customer_id IS NULL AND l.country = m.country AND l.company = m.name
      AND m.id IS NOT NULL
    RETURNING 1)
  SELECT count(*) INTO leads FROM u;
  RETURN NEXT;
END
$$;
COMMENT ON FUNCTION channel.link_end_customers() IS
  'Sets end_customer_id of every registration and lead that has none (rows from before 0.2.0, or whose end customer was deleted), resolving each distinct spelling once with channel.end_customer_of(). Returns how many registrations and leads it linked.';
-- (a fresh install has no rows; the upgrade from 0.1.0 links its rows in
-- upgrade/0.1.0--0.2.0/98_link_end_customers.sql, once 0.2.0's constraints
-- are validated: an update re-checks every constraint of the row)

REVOKE EXECUTE ON FUNCTION channel.end_customer_lock(text, text[]), channel.end_customer_of(text, text), channel.deal_end_customer(),
  channel.lead_end_customer(), channel.link_end_customers() FROM PUBLIC;
