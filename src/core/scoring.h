/*
 * scoring.h -- rule-based lead scoring (pure C, no PostgreSQL headers).
 *
 * A rule tests one attribute of a lead against a value and adds its points
 * when it matches; the score is the sum of the points of the matching rules,
 * clamped to 0..100.  Comparisons with a missing (NULL) attribute never
 * match, as in SQL, except the is_null operator.  The SQL wrapper
 * (src/scoring_sql.c) loads channel.scoring_rule into ScoreRule arrays and
 * fills a ScoreLead from a channel.lead row.
 */
#ifndef CHANNEL_SCORING_H
#define CHANNEL_SCORING_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ScoreAttr
{
	SA_SOURCE,
	SA_CAMPAIGN,
	SA_INDUSTRY,
	SA_COUNTRY,
	SA_REGION,
	SA_PRODUCT_LINE,
	SA_AUTHORITY,
	SA_NEED,
	SA_EMPLOYEES,				/* numeric attributes from here on */
	SA_BUDGET,
	SA_TIMELINE_DAYS,
	SA_COUNT
} ScoreAttr;

#define SA_FIRST_NUMERIC SA_EMPLOYEES

typedef enum ScoreOp
{
	SO_EQ, SO_NE, SO_LT, SO_LE, SO_GT, SO_GE, SO_IN, SO_IS_NULL, SO_INVALID
} ScoreOp;

typedef struct ScoreRule
{
	int			attr;			/* ScoreAttr */
	int			op;				/* ScoreOp */
	double		num;			/* value of a numeric rule */
	const char *text;			/* value of a text rule (NUL-terminated) */
	size_t		textlen;		/* strlen(text), or 0 to have it computed */
	const char **items;			/* SO_IN: the list items, trimmed */
	int			nitems;
	int			points;
	bool		shipped;		/* one of the rules the extension ships */
} ScoreRule;

/* One attribute value of a lead: text (not NUL-terminated) or number. */
typedef struct ScoreValue
{
	bool		isnull;
	const char *str;
	size_t		len;
	double		num;
} ScoreValue;

typedef struct ScoreLead
{
	ScoreValue	v[SA_COUNT];
} ScoreLead;

/* name <-> code; -1 / SO_INVALID for an unknown name */
int			scoring_attr_from_name(const char *name);
const char *scoring_attr_name(int attr);
bool		scoring_attr_is_numeric(int attr);
ScoreOp		scoring_op_from_name(const char *name);

/*
 * Split an "a, b,c" list into trimmed items, in place: writes NULs into buf
 * and up to maxitems pointers into items.  Returns the item count, or -1
 * when an item is empty or there are more than maxitems.
 */
int			scoring_split_list(char *buf, const char **items, int maxitems);

/* Does one rule match the lead? */
bool		scoring_rule_matches(const ScoreRule *rule, const ScoreLead *lead);

/* Sum of the points of the matching rules, clamped to 0..100. */
int			scoring_score(const ScoreRule *rules, int nrules, const ScoreLead *lead,
						  bool include_shipped);

#endif
