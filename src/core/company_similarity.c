/*
 * company_similarity.c -- how likely two normalized names denote one company.
 *
 * A weighted Dice coefficient over tokens:
 *
 *     similarity = 2 * sum(matched pair weight * pair similarity)
 *                  / (total weight of a + total weight of b)
 *
 * Tokens weigh what they tell: a distinctive word 1.0, a one- or two-letter
 * token 0.6, a word many companies share ("group", "systems", "bank" is
 * not one of them) 0.3, a connective ("and", "de", "of") 0.1.  So "Acme
 * Group" / "Acme Holdings" share their weighty token and score 0.77, while
 * "Acme Group" / "Beta Group" share a light one and score 0.23.
 *
 * Tokens pair up in three passes, each only among tokens still unpaired:
 * equal tokens (similarity 1), an acronym against a run of consecutive
 * tokens of the other name whose initials spell it (0.9: "ibm" /
 * "international business machines"), and near tokens within one edit
 * (tokens of 5+ letters) or two (9+), by Damerau-Levenshtein distance
 * (1 - distance / longer length), best pairs first; tokens with digits
 * must be equal.  Names whose tokens concatenate to the same string
 * ("micro soft" / "microsoft") score at least 0.95.  The passes are run
 * both ways and the better result kept, which makes the measure
 * symmetric; equal names score exactly 1.
 *
 * Long names are compared on their first COMPANY_MAX_TOKENS tokens.
 */
#include "company.h"
#include "company_tokens.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define COMPANY_MAX_TOKENS 64
#define MAX_TYPO_TOKEN_LEN 64

static const char *const connectives[] = {
	"a", "and", "at", "da", "das", "de", "del", "della", "der", "des", "di", "die", "do", "dos",
	"du", "e", "el", "en", "et", "for", "in", "la", "las", "le", "les", "los", "of", "on",
	"to", "und", "van", "von", "y"
};

static const char *const common_words[] = {
	"associates", "banca", "banco", "bank", "brewing", "capital", "chemicals", "communications",
	"companies", "company", "construction", "consulting", "digital", "electric", "electronics",
	"energy", "engineering", "enterprise", "enterprises", "entertainment", "financial", "foods",
	"global", "group", "groupe", "grupo", "gruppe", "gruppo", "healthcare", "holding", "holdings",
	"hotels", "industrial", "industries", "insurance", "international", "intl", "investment",
	"investments", "logistics", "management", "manufacturing", "media", "medical", "mining",
	"motors", "network", "networks", "paper", "partners", "pharma", "pharmaceuticals", "plastics",
	"products", "properties", "resources", "retail", "robotics", "service", "services", "shipping",
	"software", "solution", "solutions", "steel", "system", "systems", "tech", "technologies",
	"technology", "telecom", "textiles", "trading", "transport", "worldwide"
};

static bool
in_list(const char *tok, const char *const *list, size_t n)
{
	size_t		lo = 0,
				hi = n;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = strcmp(tok, list[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static bool
is_connective(const char *tok)
{
	return in_list(tok, connectives, sizeof(connectives) / sizeof(connectives[0]));
}

static double
token_weight(const char *tok, int len, bool connective)
{
	if (connective)
		return 0.1;
	if (in_list(tok, common_words, sizeof(common_words) / sizeof(common_words[0])))
		return 0.3;
	if (len <= 2)
		return 0.6;
	return 1.0;
}

static bool
has_digit(const char *s)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			return true;
	return false;
}

/* Optimal string alignment distance, or max + 1 once it exceeds max. */
static int
edit_distance(const char *a, int la, const char *b, int lb, int max)
{
	int			d[MAX_TYPO_TOKEN_LEN + 1][MAX_TYPO_TOKEN_LEN + 1];

	if (abs(la - lb) > max)
		return max + 1;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
	{
		int			rowmin = max + 1;

		for (int j = 1; j <= lb; j++)
		{
			int			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int			v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > max)
			return max + 1;
	}
	return d[la][lb];
}

/*
 * What the passes ask of each token, worked out once per name: a trigger
 * compares one new name with every candidate, and these lookups (a length,
 * a scan for digits, a search of the connective list) cost more than the
 * comparisons that use them.
 */
typedef struct side
{
	company_tokens t;
	int			n;				/* tokens considered */
	double		weight[COMPANY_MAX_TOKENS];
	int			len[COMPANY_MAX_TOKENS];
	bool		digit[COMPANY_MAX_TOKENS];
	bool		connective[COMPANY_MAX_TOKENS];
	double		total;
} side;

static bool
side_init(side *s, const char *normalized)
{
	if (!company_split(normalized, &s->t))
		return false;
	s->n = s->t.n < COMPANY_MAX_TOKENS ? s->t.n : COMPANY_MAX_TOKENS;
	s->total = 0;
	for (int i = 0; i < s->n; i++)
	{
		const char *tok = company_token(&s->t, i);

		s->len[i] = (int) strlen(tok);
		s->digit[i] = has_digit(tok);
		s->connective[i] = is_connective(tok);
		s->weight[i] = token_weight(tok, s->len[i], s->connective[i]);
		s->total += s->weight[i];
	}
	return true;
}

/* Similarity of token i of a and unequal token j of b as typos of each other, or 0. */
static double
typo_similarity(const side *a, int i, const side *b, int j)
{
	int			la = a->len[i];
	int			lb = b->len[j];
	int			shorter = la < lb ? la : lb;
	int			longer = la < lb ? lb : la;
	int			allowed = shorter >= 9 ? 2 : shorter >= 5 ? 1 : 0;
	const char *x = company_token(&a->t, i);
	const char *y = company_token(&b->t, j);
	int			d;

	/* more letters apart than typos allowed: most pairs end here */
	if (allowed == 0 || longer - shorter > allowed || longer > MAX_TYPO_TOKEN_LEN ||
		a->digit[i] || b->digit[j])
		return 0.0;
	/* one typo, the usual case: a linear check instead of the table */
	if (allowed == 1)
		d = la == lb && memcmp(x, y, la) == 0 ? 0 : company_within_one_typo(x, la, y, lb) ? 1 : 2;
	else
		d = edit_distance(x, la, y, lb, allowed);
	return d > allowed ? 0.0 : 1.0 - (double) d / longer;
}

/*
 * Acronym pass, from a's short tokens to runs in b: a run matches when the
 * initials of all its tokens, or of its tokens but the connectives, spell
 * the acronym.
 */
static double
acronym_pass(const side *a, const side *b, bool *used_a, bool *used_b, bool *found)
{
	double		matched = 0;

	for (int i = 0; i < a->n; i++)
	{
		const char *acr = company_token(&a->t, i);
		int			len = a->len[i];

		if (used_a[i] || len < 2 || len > 8 || a->digit[i])
			continue;
		for (int start = 0; start < b->n; start++)
		{
			for (int skip = 0; skip <= 1; skip++)
			{
				int			k = 0;
				int			end = start;
				double		w = 0;

				while (end < b->n && k < len && !used_b[end])
				{
					const char *tok = company_token(&b->t, end);

					if (skip && b->connective[end] && end > start)
					{
						w += b->weight[end++];
						continue;
					}
					if (tok[0] != acr[k])
						break;
					w += b->weight[end++];
					k++;
				}
				if (k == len && end - start >= 2)
				{
					used_a[i] = true;
					for (int j = start; j < end; j++)
						used_b[j] = true;
					matched += 0.9 * (a->weight[i] + w) / 2;
					*found = true;
					goto next_acronym;
				}
			}
		}
next_acronym:;
	}
	return matched;
}

typedef struct candidate
{
	int			i,
				j;
	double		sim;
} candidate;

static int
by_similarity_desc(const void *x, const void *y)
{
	double		a = ((const candidate *) x)->sim,
				b = ((const candidate *) y)->sim;

	return a < b ? 1 : a > b ? -1 : 0;
}

/* One direction of the three passes; returns the matched weight. */
static double
align(const side *a, const side *b, bool *acronym_found)
{
	bool		used_a[COMPANY_MAX_TOKENS] = {false};
	bool		used_b[COMPANY_MAX_TOKENS] = {false};
	candidate	cand[COMPANY_MAX_TOKENS * 4];
	int			ncand = 0;
	double		matched = 0;

	/* equal tokens */
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			if (!used_b[j] && a->len[i] == b->len[j] &&
				memcmp(company_token(&a->t, i), company_token(&b->t, j), a->len[i]) == 0)
			{
				used_a[i] = used_b[j] = true;
				matched += (a->weight[i] + b->weight[j]) / 2;
				break;
			}

	matched += acronym_pass(a, b, used_a, used_b, acronym_found);

	/* near tokens, best pairs first */
	for (int i = 0; i < a->n; i++)
	{
		if (used_a[i])
			continue;
		for (int j = 0; j < b->n && ncand < COMPANY_MAX_TOKENS * 4; j++)
		{
			double		sim;

			if (used_b[j])
				continue;
			sim = typo_similarity(a, i, b, j);
			if (sim > 0)
				cand[ncand++] = (candidate) {i, j, sim};
		}
	}
	qsort(cand, (size_t) ncand, sizeof(candidate), by_similarity_desc);
	for (int c = 0; c < ncand; c++)
	{
		if (used_a[cand[c].i] || used_b[cand[c].j])
			continue;
		used_a[cand[c].i] = used_b[cand[c].j] = true;
		matched += cand[c].sim * (a->weight[cand[c].i] + b->weight[cand[c].j]) / 2;
	}
	return matched;
}

static bool
same_when_concatenated(const char *a, const char *b)
{
	while (*a || *b)
	{
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (*a != *b)
			return false;
		if (*a)
			a++, b++;
	}
	return true;
}

/*
 * A normalized name made ready for comparison with many others: its side
 * is built once, not once per comparison.
 */
struct company_name
{
	const char *text;			/* the caller's string, kept alive by the caller */
	side		s;
};

company_name *
company_name_prepare(const char *normalized)
{
	company_name *name = malloc(sizeof(company_name));

	if (name == NULL)
		return NULL;
	name->text = normalized;
	if (!side_init(&name->s, normalized))
	{
		free(name);
		return NULL;
	}
	return name;
}

void
company_name_free(company_name *name)
{
	if (name == NULL)
		return;
	company_tokens_free(&name->s.t);
	free(name);
}

/* The measure between a prepared name and side b of the name b. */
static float
similarity_of_sides(const char *a, const side *sa, const char *b, const side *sb,
					company_match_kind *kind)
{
	bool		acr_ab = false,
				acr_ba = false;
	double		ab = 0,
				ba = 0,
				best;
	company_match_kind k;

	if (sa->total + sb->total <= 0)
		best = 0;
	else
	{
		ab = 2 * align(sa, sb, &acr_ab) / (sa->total + sb->total);
		ba = 2 * align(sb, sa, &acr_ba) / (sa->total + sb->total);
		best = ab >= ba ? ab : ba;
	}
	k = (ab >= ba ? acr_ab : acr_ba) ? COMPANY_MATCH_ACRONYM : COMPANY_MATCH_FUZZY;
	if (same_when_concatenated(a, b) && best < 0.95)
	{
		best = 0.95;
		k = COMPANY_MATCH_FUZZY;
	}
	if (best > 0.999)
		best = 0.999;			/* 1 is for equal names only */
	if (best < 0)
		best = 0;
	if (kind)
		*kind = best > 0 ? k : COMPANY_MATCH_NONE;
	return (float) best;
}

float
company_similarity_prepared(const company_name *a, const char *b, company_match_kind *kind)
{
	side		sb;
	float		score;

	if (strcmp(a->text, b) == 0)
	{
		if (kind)
			*kind = COMPANY_MATCH_EXACT;
		return 1.0f;
	}
	if (!side_init(&sb, b))
	{
		if (kind)
			*kind = COMPANY_MATCH_NONE;
		return 0.0f;
	}
	score = similarity_of_sides(a->text, &a->s, b, &sb, kind);
	company_tokens_free(&sb.t);
	return score;
}

float
company_similarity_normalized(const char *a, const char *b, company_match_kind *kind)
{
	company_name *prepared = company_name_prepare(a);
	float		score;

	if (prepared == NULL)
	{
		if (kind)
			*kind = COMPANY_MATCH_NONE;
		return 0.0f;
	}
	score = company_similarity_prepared(prepared, b, kind);
	company_name_free(prepared);
	return score;
}

company_status
company_similarity(const char *a, size_t alen, const char *b, size_t blen,
				   float *score, company_match_kind *kind)
{
	char	   *na = NULL,
			   *nb = NULL;
	company_status st;

	st = company_normalize(a, alen, &na);
	if (st == COMPANY_OK)
		st = company_normalize(b, blen, &nb);
	if (st == COMPANY_OK)
		*score = company_similarity_normalized(na, nb, kind);
	free(na);
	free(nb);
	return st;
}

/* ---------------------------------------------------------------- blocking keys */

typedef struct keyset
{
	char	   *buf;
	size_t		used,
				cap;
	int			n;
} keyset;

static bool
key_add(keyset *k, const char *prefix, const char *s, size_t len)
{
	size_t		need = strlen(prefix) + len + 1;

	if (k->used + need > k->cap)
	{
		size_t		cap = (k->cap + need) * 2;
		char	   *nbuf = realloc(k->buf, cap);

		if (nbuf == NULL)
			return false;
		k->buf = nbuf;
		k->cap = cap;
	}
	memcpy(k->buf + k->used, prefix, strlen(prefix));
	memcpy(k->buf + k->used + strlen(prefix), s, len);
	k->buf[k->used + need - 1] = '\0';
	k->used += need;
	k->n++;
	return true;
}

/*
 * Keys of token i of a name.  A word of five letters or more, where
 * company_similarity forgives a typo, is keyed twice, as "w:" and the word
 * and as "r:" and the word reversed: such keys meet their neighbours within
 * one typo, which an index finds in two short ranges (company_keys.c).  A
 * shorter word, or one with a digit, must be equal: "d:" and the word.
 * When prefix_keys asks for them, a word of nine letters or more, where two
 * typos are forgiven, also gets its first and last four letters as keys
 * (see company_match_keys).
 */
static bool
token_keys(keyset *k, const side *s, int i, bool prefix_keys)
{
	const char *tok = company_token(&s->t, i);
	size_t		len = (size_t) s->len[i];
	char	   *reversed;

	if (len < 3)
		return true;
	if (len < 5 || s->digit[i])
		return key_add(k, "d:", tok, len);
	if (prefix_keys && len >= 9 &&
		(!key_add(k, "p:", tok, 4) || !key_add(k, "s:", tok + len - 4, 4)))
		return false;
	if (!key_add(k, "w:", tok, len) || !key_add(k, "r:", tok, len))
		return false;
	/* the "r:" key's body, the last len bytes before its NUL, reversed in place */
	reversed = k->buf + k->used - 1 - len;
	for (size_t i = 0; i < len / 2; i++)
	{
		char		c = reversed[i];

		reversed[i] = reversed[len - 1 - i];
		reversed[len - 1 - i] = c;
	}
	return true;
}

/* The name without its spaces: names that differ only in spacing score >= 0.95. */
static bool
name_key(keyset *k, const char *normalized)
{
	size_t		len = strlen(normalized);
	char	   *joined = malloc(len + 1);
	size_t		n = 0;
	bool		ok;

	if (joined == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		if (normalized[i] != ' ')
			joined[n++] = normalized[i];
	ok = key_add(k, "k:", joined, n);
	free(joined);
	return ok;
}

company_status
company_match_keys(const char *normalized, char ***keys, int *nkeys)
{
	side		s;
	keyset		k = {NULL, 0, 0, 0};
	char		initials[COMPANY_MAX_TOKENS + 1];
	char		initials_nc[COMPANY_MAX_TOKENS + 1];
	int			ni = 0,
				nnc = 0;
	int			ndistinctive = 0;
	bool		ok = true;
	char	  **arr;
	char	   *p;

	*keys = NULL;
	*nkeys = 0;
	if (normalized[0] == '\0')
		return COMPANY_OK;
	if (!side_init(&s, normalized))
		return COMPANY_NO_MEMORY;

	for (int i = 0; i < s.n; i++)
		ndistinctive += s.weight[i] >= 1.0;
	ok = name_key(&k, normalized);
	for (int i = 0; ok && i < s.n; i++)
	{
		const char *tok = company_token(&s.t, i);
		size_t		len = (size_t) s.len[i];

		initials[ni++] = tok[0];
		if (!s.connective[i])
			initials_nc[nnc++] = tok[0];
		/*
		 * Two typos in one word need the four-letter keys, but only in a
		 * name whose one distinctive word carries the match: with two or
		 * more, a pair reaching the threshold nearly always shares another
		 * word's keys (doc/deals.md gives the measured exceptions).
		 */
		if (s.weight[i] >= 1.0)
			ok = token_keys(&k, &s, i, ndistinctive == 1);
		/*
		 * Any short token may be an acronym of the other name -- but a
		 * business word or a connective only matters in a name of such
		 * words: beside a distinctive word it weighs too little to carry
		 * a match, and "foods" or "steel" would find every name of the
		 * trade.
		 */
		if (ok && len >= 2 && len <= 5 && !s.digit[i] && (s.weight[i] > 0.3 || ndistinctive == 0))
			ok = key_add(&k, "a:", tok, len);
	}
	if (ok && ndistinctive == 0)
		for (int i = 0; ok && i < s.n; i++)
			ok = token_keys(&k, &s, i, true);
	/*
	 * Initials ("i:", met by another name's acronym "a:" of the same
	 * letters) of three words or more: two initials are shared by too many
	 * names to narrow anything down (so "HP" meets "Hewlett Packard" only
	 * through the name's other words).
	 */
	if (ok && ni >= 3 && ni <= 5)
		ok = key_add(&k, "i:", initials, (size_t) ni);
	if (ok && nnc >= 3 && nnc <= 5 && nnc != ni)
		ok = key_add(&k, "i:", initials_nc, (size_t) nnc);
	company_tokens_free(&s.t);
	if (!ok)
	{
		free(k.buf);
		return COMPANY_NO_MEMORY;
	}

	/* one block: the pointer array, then the strings */
	arr = malloc(sizeof(char *) * (size_t) k.n + k.used);
	if (arr == NULL)
	{
		free(k.buf);
		return COMPANY_NO_MEMORY;
	}
	p = (char *) (arr + k.n);
	memcpy(p, k.buf, k.used);
	for (int i = 0; i < k.n; i++)
	{
		arr[i] = p;
		p += strlen(p) + 1;
	}
	free(k.buf);
	*keys = arr;
	*nkeys = k.n;
	return COMPANY_OK;
}
