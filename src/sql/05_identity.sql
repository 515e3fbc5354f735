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

-- C (src/identity.c): reads channel.partner_user through its primary key
-- without privilege or row-level security checks (it is what those checks
-- call), once per transaction.  PARALLEL RESTRICTED because the partner set
-- by channel.set_portal_partner() lives in the leader's memory only.
CREATE FUNCTION channel.current_partner() RETURNS bigint
AS 'MODULE_PATHNAME', 'channel_current_partner'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION channel.current_partner() IS
  'The partner the caller acts for: the one set by channel.set_portal_partner() for this transaction, else the one channel.partner_user maps session_user to; NULL when the caller acts for the vendor. Raises insufficient_privilege for a member of channel_partner or channel_portal that has neither.';

CREATE FUNCTION channel.set_portal_partner(partner_id bigint) RETURNS void
AS 'MODULE_PATHNAME', 'channel_set_portal_partner'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION channel.set_portal_partner(bigint) IS
  'For the portal application (EXECUTE granted to channel_portal only): act for partner_id until the end of the current transaction block. Once per transaction; undone by ROLLBACK TO a savepoint taken before it.';
