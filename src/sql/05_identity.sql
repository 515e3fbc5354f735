-- 05_identity.sql: which partner the caller acts for.
--
-- Every partner-facing function asks channel.current_partner(): NULL means
-- the caller acts for the vendor (channel managers, jobs); a partner id means
-- the caller may only touch that partner's rows.

CREATE TABLE channel.partner_user (
  role_name  name PRIMARY KEY,
  partner_id bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.partner_user IS
  'Maps a database login role to the partner it works for (one partner per role).';
COMMENT ON COLUMN channel.partner_user.role_name IS 'Database role (as in pg_roles.rolname).';
COMMENT ON COLUMN channel.partner_user.partner_id IS 'The partner the role acts for.';
COMMENT ON COLUMN channel.partner_user.created_at IS 'When the mapping was made.';
CREATE INDEX partner_user_partner_idx ON channel.partner_user (partner_id);
COMMENT ON INDEX channel.partner_user_partner_idx IS 'Roles of a partner.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_user', '');

CREATE FUNCTION channel.current_partner() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pu.partner_id FROM channel.partner_user pu WHERE pu.role_name = session_user
$$;
COMMENT ON FUNCTION channel.current_partner() IS
  'The partner the calling session acts for, or NULL when it acts for the vendor.';
