-- 0.2.0: the demo generator and its helpers are no longer executable by
-- PUBLIC (src/sql/90_demo.sql).
REVOKE EXECUTE ON FUNCTION channel.demo_compose_name(text, text, text, boolean),
                           channel.demo_name_variant(text, text, text, boolean, integer),
                           channel.demo_pick(anyarray, float8),
                           channel.generate_demo(integer, integer, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.demo_compose_name(text, text, text, boolean),
                          channel.demo_name_variant(text, text, text, boolean, integer),
                          channel.demo_pick(anyarray, float8),
                          channel.generate_demo(integer, integer, integer, date) TO channel_admin;
