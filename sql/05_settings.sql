-- 05_settings: the channel.* prefix is reserved (MarkGUCPrefixReserved in
-- _PG_init, doc/channel.md "Settings").  Once the library is loaded, a
-- setting the module does not define is an error, so a misspelt name
-- cannot be set and silently ignored; the real settings still work.
\set VERBOSITY default

-- any channel function loads the library into this session
SELECT channel.normalize_company('Acme Inc.') AS loaded;

-- misspelt or invented names are refused, however they are set
SET channel.match_treshold = 0.9;
SET channel.partner = 42;
SELECT set_config('channel.routing_sed', '7', false);
BEGIN;
SET LOCAL channel.conflict_polcy = 'reject';
ROLLBACK;
SHOW channel.match_treshold;
SELECT current_setting('channel.match_treshold', true) IS NULL AS unknown_is_null;

-- the real settings are set, shown and reset as before
BEGIN;
SET LOCAL channel.match_threshold = 0.9;
SET LOCAL channel.conflict_policy = 'reject';
SET LOCAL channel.routing_policy = 'lottery';
SELECT set_config('channel.routing_seed', '7', true) AS routing_seed;
SET LOCAL channel.sla_hours = 'registered=12, silver=24, gold=36, platinum=48';
SELECT current_setting('channel.match_threshold') AS match_threshold,
       current_setting('channel.conflict_policy') AS conflict_policy,
       current_setting('channel.routing_policy') AS routing_policy,
       current_setting('channel.sla_hours') AS sla_hours;
ROLLBACK;
SELECT current_setting('channel.match_threshold') AS match_threshold,
       current_setting('channel.routing_seed') AS routing_seed;
-- a wrong value of a real setting is still refused by its own check
SET channel.sla_hours = 'gold=1';

-- a name set before the library is loaded is only a placeholder: loading
-- the library removes it, with a warning
\c
SET channel.match_treshold = 0.9;
SELECT channel.normalize_company('Acme Inc.') AS loaded;
SHOW channel.match_treshold;
