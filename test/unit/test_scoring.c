/* test_scoring.c -- rule matching and score sums of src/core/scoring.c. */
#include "unit.h"
#include "scoring.h"

static void
set_text(ScoreLead *l, int attr, const char *s)
{
	l->v[attr].isnull = (s == NULL);
	l->v[attr].str = s;
	l->v[attr].len = s ? strlen(s) : 0;
}

static void
set_num(ScoreLead *l, int attr, double d)
{
	l->v[attr].isnull = false;
	l->v[attr].num = d;
}

static ScoreLead
sample_lead(void)
{
	ScoreLead	l;

	for (int i = 0; i < SA_COUNT; i++)
		l.v[i] = (ScoreValue) {.isnull = true};
	set_text(&l, SA_SOURCE, "referral");
	set_text(&l, SA_AUTHORITY, "decision_maker");
	set_text(&l, SA_NEED, "high");
	set_num(&l, SA_EMPLOYEES, 1200);
	set_num(&l, SA_BUDGET, 50000);
	return l;
}

UNIT_TEST(scoring_names_round_trip)
{
	for (int a = 0; a < SA_COUNT; a++)
		CHECK(scoring_attr_from_name(scoring_attr_name(a)) == a);
	CHECK(scoring_attr_from_name("score") == -1);
	CHECK(scoring_attr_is_numeric(SA_BUDGET));
	CHECK(!scoring_attr_is_numeric(SA_NEED));
	CHECK(scoring_op_from_name(">=") == SO_GE);
	CHECK(scoring_op_from_name("like") == SO_INVALID);
}

UNIT_TEST(scoring_split_list_trims_and_rejects_empty_items)
{
	char		buf[] = " web ,campaign,  event";
	char		bad[] = "web,,event";
	char		many[] = "a,b,c";
	const char *items[4];

	CHECK(scoring_split_list(buf, items, 4) == 3);
	CHECK_STR(items[0], "web");
	CHECK_STR(items[1], "campaign");
	CHECK_STR(items[2], "event");
	CHECK(scoring_split_list(bad, items, 4) == -1);
	CHECK(scoring_split_list(many, items, 2) == -1);
}

UNIT_TEST(scoring_rules_match_like_sql)
{
	ScoreLead	l = sample_lead();
	const char *srcs[] = {"web", "referral"};
	ScoreRule	eq = {.attr = SA_NEED, .op = SO_EQ, .text = "high"};
	ScoreRule	ne = {.attr = SA_NEED, .op = SO_NE, .text = "high"};
	ScoreRule	in = {.attr = SA_SOURCE, .op = SO_IN, .items = srcs, .nitems = 2};
	ScoreRule	ge = {.attr = SA_EMPLOYEES, .op = SO_GE, .num = 1200};
	ScoreRule	lt = {.attr = SA_BUDGET, .op = SO_LT, .num = 50000};
	ScoreRule	isnull = {.attr = SA_INDUSTRY, .op = SO_IS_NULL};
	ScoreRule	null_ne = {.attr = SA_INDUSTRY, .op = SO_NE, .text = "retail"};
	ScoreRule	null_lt = {.attr = SA_TIMELINE_DAYS, .op = SO_LT, .num = 90};

	CHECK(scoring_rule_matches(&eq, &l));
	CHECK(!scoring_rule_matches(&ne, &l));
	CHECK(scoring_rule_matches(&in, &l));
	CHECK(scoring_rule_matches(&ge, &l));
	CHECK(!scoring_rule_matches(&lt, &l));
	CHECK(scoring_rule_matches(&isnull, &l));
	/* NULL never compares, whatever the operator (SQL semantics) */
	CHECK(!scoring_rule_matches(&null_ne, &l));
	CHECK(!scoring_rule_matches(&null_lt, &l));
	/* a prefix is not equal */
	set_text(&l, SA_NEED, "hig");
	CHECK(!scoring_rule_matches(&eq, &l));
}

UNIT_TEST(scoring_sums_and_clamps)
{
	ScoreLead	l = sample_lead();
	ScoreRule	rules[] = {
		{.attr = SA_NEED, .op = SO_EQ, .text = "high", .points = 30},
		{.attr = SA_AUTHORITY, .op = SO_EQ, .text = "decision_maker", .points = 25, .shipped = true},
		{.attr = SA_BUDGET, .op = SO_GE, .num = 100000, .points = 40},
	};
	ScoreRule	big[] = {
		{.attr = SA_NEED, .op = SO_EQ, .text = "high", .points = 80},
		{.attr = SA_EMPLOYEES, .op = SO_GT, .num = 1000, .points = 80},
	};
	ScoreRule	negative[] = {
		{.attr = SA_NEED, .op = SO_EQ, .text = "high", .points = -30},
	};

	CHECK(scoring_score(rules, 3, &l, true) == 55);
	CHECK(scoring_score(rules, 3, &l, false) == 30);
	CHECK(scoring_score(big, 2, &l, true) == 100);
	CHECK(scoring_score(negative, 1, &l, true) == 0);
	CHECK(scoring_score(NULL, 0, &l, true) == 0);
}
