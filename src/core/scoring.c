/*
 * scoring.c -- rule-based lead scoring (see scoring.h).
 */
#include "scoring.h"

#include <string.h>

static const char *const attr_names[SA_COUNT] = {
	"source", "campaign", "industry", "country", "region", "product_line",
	"authority", "need", "employees", "budget", "timeline_days"
};

static const char *const op_names[SO_INVALID] = {
	"=", "<>", "<", "<=", ">", ">=", "in", "is_null"
};

int
scoring_attr_from_name(const char *name)
{
	for (int i = 0; i < SA_COUNT; i++)
		if (strcmp(name, attr_names[i]) == 0)
			return i;
	return -1;
}

const char *
scoring_attr_name(int attr)
{
	return (attr >= 0 && attr < SA_COUNT) ? attr_names[attr] : NULL;
}

bool
scoring_attr_is_numeric(int attr)
{
	return attr >= SA_FIRST_NUMERIC && attr < SA_COUNT;
}

ScoreOp
scoring_op_from_name(const char *name)
{
	for (int i = 0; i < SO_INVALID; i++)
		if (strcmp(name, op_names[i]) == 0)
			return (ScoreOp) i;
	return SO_INVALID;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
scoring_split_list(char *buf, const char **items, int maxitems)
{
	int			n = 0;
	char	   *p = buf;

	for (;;)
	{
		char	   *start,
				   *end,
				   *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		start = p;
		while (is_space(*start))
			start++;
		end = start + strlen(start);
		while (end > start && is_space(end[-1]))
			end--;
		*end = '\0';
		if (*start == '\0' || n >= maxitems)
			return -1;
		items[n++] = start;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

static bool
text_equals(const ScoreValue *v, const char *s, size_t len)
{
	if (len == 0)
		len = strlen(s);
	return v->len == len && memcmp(v->str, s, len) == 0;
}

bool
scoring_rule_matches(const ScoreRule *rule, const ScoreLead *lead)
{
	const ScoreValue *v;

	if (rule->attr < 0 || rule->attr >= SA_COUNT)
		return false;
	v = &lead->v[rule->attr];
	if (rule->op == SO_IS_NULL)
		return v->isnull;
	if (v->isnull)
		return false;

	if (scoring_attr_is_numeric(rule->attr))
	{
		switch (rule->op)
		{
			case SO_EQ:
				return v->num == rule->num;
			case SO_NE:
				return v->num != rule->num;
			case SO_LT:
				return v->num < rule->num;
			case SO_LE:
				return v->num <= rule->num;
			case SO_GT:
				return v->num > rule->num;
			case SO_GE:
				return v->num >= rule->num;
			default:
				return false;
		}
	}
	switch (rule->op)
	{
		case SO_EQ:
			return text_equals(v, rule->text, rule->textlen);
		case SO_NE:
			return !text_equals(v, rule->text, rule->textlen);
		case SO_IN:
			for (int i = 0; i < rule->nitems; i++)
				if (text_equals(v, rule->items[i], 0))
					return true;
			return false;
		default:
			return false;
	}
}

int
scoring_score(const ScoreRule *rules, int nrules, const ScoreLead *lead,
			  bool include_shipped)
{
	long		sum = 0;

	for (int i = 0; i < nrules; i++)
	{
		if (rules[i].shipped && !include_shipped)
			continue;
		if (scoring_rule_matches(&rules[i], lead))
			sum += rules[i].points;
	}
	if (sum < 0)
		return 0;
	if (sum > 100)
		return 100;
	return (int) sum;
}
