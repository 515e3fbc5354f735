#!/usr/bin/perl
# test/property/generate.pl SEED CALLS -- the statements of the SQL-level
# property test (test/sh/property.sh): CALLS calls of the extension's
# public functions and direct writes to its tables, each argument or column
# value drawn from pools of hostile values (NULL, empty and invisible
# strings, 100 kB strings, extreme numbers, NaN, infinities, ancient and far
# dates, SQL-looking text, odd Unicode), and sometimes a well-formed one so
# that calls also get past their first check.  Same seed, same statements
# (Perl's own generator, seeded).  Each statement is preceded by
# "\echo @N" so the driver can tie psql's "Time:" lines and errors to it.
use strict;
use warnings;

my ($seed, $calls) = @ARGV;
die "usage: generate.pl SEED CALLS\n" unless defined $calls && $seed =~ /^\d+$/ && $calls =~ /^\d+$/;
srand($seed);

sub pick { return $_[int(rand(@_))]; }

# ids the fixture made (test/sh/property.sh): partners 1..30, leads 1..60,
# deals are whatever exist -- referenced by subqueries
my @text = (
	"NULL", "''", "' '", "E'\\t\\n '", "U&'\\FEFF'", "U&'\\200B\\200B'", "U&'\\0301'", "U&'\\202E'",
	"U&'\\202Eevil.exe'", "'Acme'", "'Société Générale S.A.'", "'株式会社トヨタ'", "'Газпром'", "'IBM'",
	"'The'", "'GmbH'", "'&'", "'+'", "'Robert''); DROP TABLE channel.deal; --'", "''' OR ''1''=''1'",
	"'%s%s%n%x'", "'NaN'", "'infinity'", "'-1'", "'1e400'", "'null'", "repeat('a', 100000)",
	"repeat('Acme ', 20000)", "repeat(U&'\\FDFA', 1500)", "repeat(U&'\\200B', 30000)",
	"repeat('é', 50000)", "chr(1) || chr(31) || chr(127)", "U&'\\+01F642\\+01F3F3\\FE0F\\200D\\+01F308'",
	"'a' || repeat(U&'\\0301', 5000)", "'ǅemal İstanbul ß'", "'x' || repeat(',', 70)",
	"(SELECT string_agg('v' || g, ',') FROM generate_series(1, 65) g)",
	"'referral, partner, inbound_call'", "'decision_maker'", "'high'", "'duplicate'", "'no_capacity'",
	"'FR'", "'fr'", "'XX'", "'F'", "'FRA'", "'PX_A'", "'PX_B'", "'px_a'", "'Acme Holdings Ltd'",
	"'Dupont et Fils SARL'", "'International Business Machines'",
);
# the function `text` arguments are also drawn from well-formed values now and then
my @country = ("NULL", "'FR'", "'DE'", "'US'", "'JP'", "'XX'", "'fr'", "''", "U&'\\FEFF'", "repeat('F', 100000)");
my @line = ("NULL", "'PX_A'", "'PX_B'", "'NOPE'", "''", "'px_a'", "repeat('A', 40)");
my @numeric = (
	"NULL", "0", "-1", "1", "0.005", "1000", "50000", "99999999999999.99", "1e14", "1e15", "-1e300",
	"'NaN'::numeric", "'Infinity'::numeric", "'-Infinity'::numeric", "1e-30",
	"123456789012345678901234567890", "'NaN'", "'Infinity'", "'-Infinity'", "-0.01",
);
my @int = ("NULL", "0", "-1", "1", "7", "30", "90", "365", "366", "3660", "3661", "2147483647", "-2147483648");
my @float = ("NULL", "0", "0.5", "0.8", "1", "1.5", "-1", "'NaN'::float8", "'Infinity'::float8",
	"'-Infinity'::float8", "1e-300", "1e308");
my @date = (
	"NULL", "current_date", "current_date + 1", "current_date + 30", "current_date - 30",
	"current_date + 400", "current_date - 4000", "'infinity'::date", "'-infinity'::date",
	"'4713-01-01 BC'::date", "'5874897-12-31'::date", "'1899-12-31'::date", "'1900-01-01'::date",
	"'2200-12-31'::date", "'2201-01-01'::date", "'2000-02-29'::date", "'0001-01-01'::date",
);
my @ts = (
	"NULL", "now()", "now() + interval '1 hour'", "now() - interval '3 days'", "now() + interval '30 days'",
	"now() + interval '1000 years'", "'infinity'::timestamptz", "'-infinity'::timestamptz",
	"'294276-12-31 23:59:59+00'::timestamptz", "'4713-01-01 00:00:00+00 BC'::timestamptz",
	"'1899-12-31 23:59:59+00'::timestamptz", "'2200-12-31 23:59:59+00'::timestamptz",
	"'2201-01-01 00:00:00+00'::timestamptz",
);
my @bool = ("NULL", "true", "false");
my @keys = ("NULL", "'{}'::text[]", "ARRAY[NULL]::text[]", "channel.company_match_keys('Acme Holdings')",
	"ARRAY['w:bcde']", "ARRAY[repeat('w:a', 1000)]", "'{\"\",\"\"}'::text[]", "ARRAY['k:']",
	"ARRAY['FR|PX_A|k:acme']", "ARRAY['i:ibm', 'a:ibm']", "ARRAY[U&'\\200B']");
my @status = ("NULL", "'submitted'", "'approved'", "'conflict'", "'rejected'", "'won'", "'lost'", "'expired'");
my @lstatus = ("NULL", "'new'", "'routed'", "'accepted'", "'rejected'", "'recalled'", "'pooled'", "'converted'", "'lost'");

sub partner_id { return pick("NULL", "0", "-1", "9223372036854775807", int(rand(30)) + 1, int(rand(30)) + 1, int(rand(30)) + 1); }
sub lead_id { return pick("NULL", "0", "-1", "9223372036854775807", int(rand(60)) + 1, int(rand(60)) + 1, int(rand(60)) + 1); }
sub deal_id {
	return pick("NULL", "-1", "9223372036854775807",
		"(SELECT deal_id FROM channel.deal ORDER BY deal_id OFFSET " . int(rand(40)) . " LIMIT 1)",
		"(SELECT deal_id FROM channel.deal ORDER BY deal_id DESC LIMIT 1)");
}
sub t { return pick(@text); }

# a row of channel.lead / channel.partner / channel.deal, from a stored one
# with hostile values put in (no constraint applies to a row value)
sub row_of {
	my ($table, $id_col, $id, @cols) = @_;
	my @pairs;
	for my $c (@cols) {
		next if rand() < 0.6;
		push @pairs, "'$c', (" . pick(@text, @numeric, @date, @int) . ")::text";
	}
	my $base = "(SELECT r FROM channel.$table r WHERE $id_col = $id)";
	return pick("NULL::channel.$table", $base) if !@pairs;
	return "jsonb_populate_record($base, jsonb_build_object(" . join(", ", @pairs) . "))";
}
sub lead_row {
	return row_of('lead', 'lead_id', int(rand(60)) + 1, qw(company country region product_line source campaign
		industry employees budget authority need timeline_days score status partner_id));
}
sub partner_row {
	return row_of('partner', 'partner_id', int(rand(30)) + 1, qw(name kind tier status country region max_open_leads));
}
sub deal_row {
	return row_of('deal', 'deal_id', "(SELECT min(deal_id) FROM channel.deal)", qw(status customer_name amount));
}

my @calls = (
	sub { "SELECT channel.det_random(" . join(", ", map { pick("NULL", "0", "-1", "9223372036854775807", "-9223372036854775808", int(rand(1000))) } 1..3) . ")" },
	sub { "SELECT channel.has_letter_or_digit(" . t() . ")" },
	sub { "SELECT channel.country_region(" . pick(@country) . ")" },
	sub { "SELECT channel.current_partner()" },
	sub { "SELECT channel.set_portal_partner(" . partner_id() . ")" },
	sub { "SELECT channel.normalize_company(" . t() . ")" },
	sub { "SELECT channel.company_similarity(" . t() . ", " . t() . ")" },
	sub { "SELECT channel.company_match_keys(" . t() . ")" },
	sub { "SELECT channel.company_keys_meet(" . pick(@keys) . ", " . pick(@keys) . ")" },
	sub { "SELECT channel.company_key_cmp(" . t() . ", " . t() . ")" },
	sub { "SELECT channel.deal_lock_customer(" . pick(@country, @text) . ", " . pick(@line, @text) . ")" },
	sub { "SELECT channel.deal_for_action(" . deal_id() . ", " . t() . ", " . pick(@bool) . ")" },
	sub { "SELECT channel.deal_illegal_transition(" . deal_row() . ", " . t() . ", " . t() . ")" },
	sub { "SELECT channel.check_amount(" . pick(@numeric) . ", " . t() . ", " . t() . ")" },
	sub { "SELECT channel.register_deal(" . partner_id() . ", " . t() . ", " . pick(@country) . ", " . pick(@line) . ", " . pick(@numeric) . ", " . pick(@date) . ")" },
	sub { "SELECT channel.register_deal(" . (int(rand(30)) + 1) . ", " . t() . ", 'FR', 'PX_A', " . pick(@numeric) . ", " . pick(@date) . ")" },
	sub { "SELECT channel.approve_deal(" . deal_id() . ")" },
	sub { "SELECT channel.reject_deal(" . deal_id() . ", " . t() . ")" },
	sub { "SELECT channel.extend_deal(" . deal_id() . ", " . pick(@int) . ")" },
	sub { "SELECT channel.close_deal(" . deal_id() . ", " . pick(@bool) . ", " . pick(@numeric) . ")" },
	sub { "SELECT channel.resolve_conflict(" . deal_id() . ")" },
	sub { "SELECT channel.expire_deals()" },
	sub { "SELECT channel.score_lead(" . lead_row() . ")" },
	sub { "SELECT channel.rescore_leads()" },
	sub { "SELECT count(*) FROM channel.lead_features(" . lead_row() . ")" },
	sub { "SELECT channel.lead_win_probability(" . lead_row() . ")" },
	sub { "SELECT count(*) FROM channel.train_scoring(" . pick(@float) . ", " . pick("NULL", "0", "-1", "10", "9223372036854775807") . ")" },
	sub { "SELECT channel.partner_fit(" . lead_row() . ", " . partner_row() . ")" },
	sub { "SELECT channel.partner_ineligibility(" . lead_row() . ", " . partner_row() . ")" },
	sub { "SELECT count(*) FROM channel.route_leads(" . pick(@int) . ")" },
	sub { "SELECT channel.route_lead(" . lead_id() . ")" },
	sub { "SELECT count(*) FROM channel.reroute_leads(" . pick("NULL", "'{}'::bigint[]", "ARRAY[NULL]::bigint[]", "ARRAY[" . lead_id() . ", " . lead_id() . "]::bigint[]") . ")" },
	sub { "SELECT channel.lead_for_action(" . lead_id() . ", " . t() . ")" },
	sub { "SELECT channel.lead_transition_error(" . lead_row() . ", " . t() . ", " . t() . ")" },
	sub { "SELECT channel.accept_lead(" . lead_id() . ")" },
	sub { "SELECT channel.reject_lead(" . lead_id() . ", " . t() . ")" },
	sub { "SELECT channel.claim_lead(" . lead_id() . ", " . partner_id() . ")" },
	sub { "SELECT channel.convert_lead(" . lead_id() . ")" },
	sub { "SELECT channel.lose_lead(" . lead_id() . ", " . t() . ")" },
	sub { "SELECT channel.recall_overdue_leads()" },
	sub { "SELECT channel.month_of(" . pick(@ts) . ")" },
	sub { "SELECT channel.month_of(" . pick(@date) . ")" },
	sub { "SELECT channel.rollup_lock_key()" },
	sub { "SELECT channel.rollup_require_vendor(" . t() . ")" },
	sub { "SELECT channel.refresh_dirty_rollups()" },
	sub { "CALL channel.refresh_rollups()" },
	sub { "SELECT channel.rebuild_rollups()" },
	sub { "SELECT channel.bi_window_start(" . pick(@date) . ", " . pick(@int) . ")" },
	sub { "SELECT channel.bi_check(" . pick(@bool) . ", " . t() . ", " . t() . ", " . t() . ")" },
	sub { "SELECT count(*) FROM channel.partner_scorecard(" . pick(@date) . ")" },
	sub { "SELECT count(*) FROM channel.lead_funnel(" . pick(@date) . ", " . pick(@date) . ")" },
	sub { "SELECT channel.pipeline_stage_weight(" . pick(@status) . ")" },
	sub { "SELECT count(*) FROM channel.pipeline(" . pick(@date) . ")" },
	sub { "SELECT count(*) FROM channel.inactive_partners(" . pick(@int) . ")" },
	sub { "SELECT count(*) FROM channel.top_partners(" . pick(@float) . ", " . pick(@date) . ")" },
	sub { "SELECT count(*) FROM channel.job_catalog()" },
	sub { "SELECT channel.jobs_require_pg_cron(" . pick("NULL", "'{}'::text[]", "ARRAY[NULL]::text[]", "ARRAY[" . t() . "]") . ", " . pick(@bool) . ")" },
	sub { "SELECT count(*) FROM channel.schedule_jobs(" . t() . ", " . t() . ", " . t() . ")" },
	sub { "SELECT count(*) FROM channel.unschedule_jobs()" },
	sub { "SELECT count(*) FROM channel.role_functions(" . pick("NULL", "'channel_partner'", "'channel_analyst'", "repeat('x', 100)") . ")" },
	sub { "SELECT count(*) FROM channel.lead_contact(" . lead_id() . ")" },
	sub { "SELECT channel.demo_compose_name(" . t() . ", " . t() . ", " . t() . ", " . pick(@bool) . ")" },
	sub { "SELECT channel.demo_name_variant(" . t() . ", " . t() . ", " . t() . ", " . pick(@bool) . ", " . pick(@int) . ")" },
	sub { "SELECT channel.demo_pick(" . pick("ARRAY[]::text[]", "ARRAY['a', 'b']", "NULL::int[]", "ARRAY[1, 2, 3]") . ", " . pick(@float) . ")" },
	sub { "SELECT count(*) FROM channel.generate_demo(" . join(", ", pick(@int), pick(@int), pick(@int), pick(@date)) . ")" },
);

my @writes = (
	sub { "INSERT INTO channel.partner (name, kind, tier, status, country, max_open_leads, website, created_at, status_changed_at, parent_id) VALUES ("
		. join(", ", t(), pick("'reseller'", "'distributor'", "'msp'", t()), pick("'gold'", "'silver'", "NULL"), pick("'active'", "'prospect'", "NULL"),
			pick(@country), pick(@int), t(), pick(@ts), pick(@ts), partner_id()) . ")" },
	sub { "UPDATE channel.partner SET " . pick("name = " . t(), "status_changed_at = " . pick(@ts), "created_at = " . pick(@ts),
		"max_open_leads = " . pick(@int), "status = " . pick("'active'", "'inactive'", "'suspended'"), "country = " . pick(@country),
		"kind = " . pick("'distributor'", "'reseller'", t()), "parent_id = " . partner_id()) . " WHERE partner_id = " . partner_id() },
	sub { "INSERT INTO channel.partner_contact (partner_id, full_name, email, phone, role) VALUES ("
		. join(", ", partner_id(), t(), pick("'a\@b.example'", t()), t(), pick("'sales'", t())) . ")" },
	sub { "INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on) VALUES ("
		. join(", ", partner_id(), pick(@line), pick("'expert'", "'associate'", t()), pick(@date), pick(@date)) . ")" },
	sub { "INSERT INTO channel.partner_product (partner_id, product_line, authorized_on) VALUES (" . join(", ", partner_id(), pick(@line), pick(@date)) . ")" },
	sub { "INSERT INTO channel.product_line (code, name, protection_days, created_at) VALUES ("
		. join(", ", pick("'PX_" . int(rand(1000)) . "'", t()), t(), pick(@int), pick(@ts)) . ")" },
	sub { "INSERT INTO channel.lead (company, contact_email, country, product_line, source, industry, employees, budget, authority, need, timeline_days, score, status, partner_id, routed_at, accept_by, accepted_at, closed_at, created_at) VALUES ("
		. join(", ", t(), pick("NULL", "'x\@y.example'", t()), pick(@country), pick(@line), pick("'web'", "'referral'", t()), t(), pick(@int), pick(@numeric),
			pick("NULL", "'decision_maker'", t()), pick("NULL", "'high'", t()), pick(@int), pick("NULL", @int), pick(@lstatus), partner_id(),
			pick(@ts), pick(@ts), pick(@ts), pick(@ts), pick("now()", @ts)) . ")" },
	sub { "INSERT INTO channel.lead (company, country, product_line, budget, timeline_days, industry) VALUES ("
		. join(", ", t(), "'FR'", "'PX_A'", pick(@numeric), pick(@int), t()) . ")" },
	sub { "UPDATE channel.lead SET " . pick("budget = " . pick(@numeric), "accept_by = " . pick(@ts), "routed_at = " . pick(@ts),
		"accepted_at = " . pick(@ts), "company = " . t(), "timeline_days = " . pick(@int), "created_at = " . pick(@ts),
		"status = " . pick(@lstatus), "closed_at = " . pick(@ts), "score = " . pick(@int)) . " WHERE lead_id = " . lead_id() },
	sub { "INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close, status, protected_until, submitted_at, decided_at, extension_count, customer_key, customer_match_keys) VALUES ("
		. join(", ", partner_id(), t(), pick(@country), pick(@line), pick(@numeric), pick(@date), pick("'submitted'", @status), pick(@ts),
			pick("now()", @ts), pick(@ts), pick("0", @int), t(), pick(@keys)) . ")" },
	sub { "UPDATE channel.deal SET " . pick("amount = " . pick(@numeric), "protected_until = " . pick(@ts), "expected_close = " . pick(@date),
		"customer_key = " . t(), "customer_match_keys = " . pick(@keys), "customer_name = " . t(), "status = " . pick(@status),
		"submitted_at = " . pick(@ts), "decided_at = " . pick(@ts), "extension_count = " . pick(@int), "customer_country = " . pick(@country))
		. " WHERE deal_id = " . deal_id() },
	sub { "INSERT INTO channel.scoring_rule (attribute, operator, value, points, created_at) VALUES ("
		. join(", ", pick("'industry'", "'budget'", "'source'", "'employees'", t()), pick("'in'", "'='", "'>='", "'is_null'", t()), t(),
			pick(@int), pick("now()", @ts)) . ")" },
	# the writes most likely to store a row breaking an invariant, more often
	sub { "UPDATE channel.deal SET amount = " . pick(@numeric) . " WHERE deal_id = " . deal_id() },
	sub { "UPDATE channel.deal SET protected_until = " . pick(@ts) . ", extension_count = " . pick("0", "1", @int) . " WHERE deal_id = " . deal_id() },
	sub { "UPDATE channel.deal SET " . pick("customer_key = " . t(), "customer_match_keys = " . pick(@keys)) . " WHERE deal_id = " . deal_id() },
	sub { "UPDATE channel.lead SET " . pick("budget = " . pick(@numeric), "accept_by = " . pick(@ts), "accepted_at = " . pick(@ts)) . " WHERE lead_id = " . lead_id() },
	sub { "UPDATE channel.partner SET name = " . t() . " WHERE partner_id = " . partner_id() },
	sub { "DELETE FROM channel.scoring_rule WHERE rule_id = (SELECT max(rule_id) FROM channel.scoring_rule WHERE rule_id > 0)" },
	sub { "INSERT INTO channel.reject_reason (code, description) VALUES (" . join(", ", pick("'rr_" . int(rand(1000)) . "'", t()), t()) . ")" },
	sub { "TRUNCATE channel." . pick("scoring_rule", "reject_reason", "reject_reason CASCADE") },
	sub { "INSERT INTO channel.deal_conflict (deal_id, other_deal_id, match_kind, score, detected_at, resolved_at) VALUES ("
		. join(", ", deal_id(), deal_id(), pick("'exact'", t()), pick(@float), pick("now()", @ts), pick(@ts)) . ")" },
);

print "\\set VERBOSITY verbose\n\\timing on\nSET statement_timeout = '10s';\nSET client_min_messages = error;\n";
for my $n (1 .. $calls) {
	my $gen = rand() < 0.6 ? pick(@calls) : pick(@writes);
	my $sql = $gen->();
	print "\\echo \@$n\n$sql;\n";
}
