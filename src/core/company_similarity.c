/*
 * company_similarity.c -- how likely two normalized names denote one company.
 *
 * A weighted Dice coefficient over tokens:
 *
 *     similarity = 2 * sum(matched pair weight * pair similarity)
 *                  / (total weight of a + total weight of b)
 *
 * Tokens weigh what they tell: a distinctive word 1.0 (an English word
 * 0.7), a one- or two-letter token 0.6, a word of a trade many companies
 * share ("bank", "energy", "systems") 0.4, a word of the kind of holding
 * ("group", "holdings", "international") 0.2, a connective ("and", "de",
 * "of") 0.1.  So "Swatch Group" / "Swatch" score 0.91, "Siemens Energy" /
 * "Siemens" 0.83, "Acme Group" / "Acme Holdings" 0.83, while "Acme Group"
 * / "Beta Group" share a light token and score 0.17.
 *
 * Tokens pair up in three passes, each only among tokens still unpaired:
 * equal tokens (similarity 1), an acronym against a run of consecutive
 * tokens of the other name whose initials spell it (0.9: "ibm" /
 * "international business machines"; syllables and the parts of compound
 * words 0.85: company_acronym.c), and near tokens within one edit
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
#include "company_side.h"
#include "company_tokens.h"
#include "company_words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPO_TOKEN_LEN 64

/*
 * Connectives and articles of the languages names are written in ("and",
 * "de", Hungarian "es", Swedish "och", Turkish "ve", Dutch "voor", ...):
 * they weigh least, and an acronym's initials skip them.  Sorted (C locale).
 */
static const char *const connectives[] = {
	"a", "al", "and", "at", "da", "das", "de", "degli", "dei", "del", "della", "delle", "dello",
	"dels", "der", "des", "di", "die", "do", "dos", "du", "e", "el", "em", "en", "es", "et",
	"for", "fuer", "fur", "het", "in", "ja", "la", "las", "le", "les", "los", "och", "of", "og",
	"on", "para", "per", "pour", "to", "und", "van", "ve", "von", "voor", "y", "zu", "zum", "zur"
};

/*
 * Words that say what kind of holding a name is ("Swatch Group", "Wilmar
 * International"), weighing least: one more of them leaves the name's own
 * words carrying the match (2 / 2.2 = 0.91 for one coined word).
 */
static const char *const generic_words[] = {
	"associates", "companies", "company", "enterprise", "enterprises", "global", "group", "groupe",
	"grupo", "gruppe", "gruppo", "holding", "holdings", "industries", "international", "intl",
	"partners", "worldwide"
};

/*
 * Words of a trade ("bank", "energy", "pharmaceuticals"): many companies
 * share each, but a different one names a different business -- "Siemens"
 * / "Siemens Energy" and "Kubota" / "Kubota Pharmaceutical" are two
 * companies, and 2 / 2.4 = 0.83 keeps them below the threshold.
 */
static const char *const common_words[] = {
	"airlines", "airways", "automation", "banca", "banco", "bank", "banking",
	"brewing", "cables", "capital", "cement", "center", "chemicals", "communications",
	"construction", "consulting", "devices", "digital", "distribution",
	"electric", "electronics", "energy", "engineering",
	"entertainment", "financial", "foods", "glass", "healthcare", "hotels", "industrial",
	"informatics", "instruments", "insurance", "investment",
	"investments", "laboratories", "logistics", "machines", "management", "manufacturing",
	"materials", "mechanical", "media", "medical", "metals", "microsystems", "mining", "motors",
	"network", "networks", "optics", "paper", "payments", "petroleum", "pharma",
	"pharmaceuticals", "plastics", "power", "products", "properties", "railway", "resources",
	"retail", "robotics", "service", "services", "shipping", "software", "solution", "solutions",
	"steel", "system", "systems", "tech", "technologies", "technology", "telecom",
	"telecommunications", "telephone", "textiles", "trading", "transport", "transportation"
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
	if (in_list(tok, generic_words, sizeof(generic_words) / sizeof(generic_words[0])))
		return COMPANY_GENERIC_WEIGHT;
	if (in_list(tok, common_words, sizeof(common_words) / sizeof(common_words[0])))
		return COMPANY_COMMON_WEIGHT;
	if (len <= 2)
		return 0.6;
	/*
	 * An English word tells less than a coined name: "Pioneer" and
	 * "Discovery" are many companies, "Kubota" one, so "Pioneer" /
	 * "Pioneer Foods" stays below the threshold where "Toyota" / "Toyota
	 * Motors" does not.
	 */
	if (company_is_english_word(tok))
		return COMPANY_WORD_WEIGHT;
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
 * What a side's tokens left unpaired are (connectives aside), for
 * trade_against_holding: bits of one side.  A trade word that opens the
 * name is its style, not another business ("Banco Santander Totta" /
 * "Santander Totta", "Bank Mandiri" / "Mandiri"), and counts for nothing.
 */
#define LEFT_TRADE 1			/* a word of a trade ("bank") */
#define LEFT_HOLDING 2			/* a word of a kind of holding ("group") */
#define LEFT_OTHER 4			/* anything else */

/*
 * Trade words that name no trade, only that work is sold ("Tata
 * Consultancy Services" is "Tata Consultancy"): for trade_against_holding
 * they are holding words.  Compared forms, sorted.
 */
static const char *const service_words[] = {"service", "services", "solution", "solutions"};

/*
 * What token i counts as when it is left unpaired (left_unpaired), from its
 * compared form: fixed per name, so kept in the side rather than looked up
 * in the word lists at every comparison.
 */
static unsigned char
unpaired_class(const company_side *s, int i, const char *canonical)
{
	if (s->connective[i])
		return 0;
	if (s->weight[i] == COMPANY_COMMON_WEIGHT &&
		in_list(canonical, service_words, sizeof(service_words) / sizeof(service_words[0])))
		return LEFT_HOLDING;
	if (s->weight[i] == COMPANY_COMMON_WEIGHT)
		return i > 0 ? LEFT_TRADE : 0;
	if (s->weight[i] == COMPANY_GENERIC_WEIGHT)
		return LEFT_HOLDING;
	return LEFT_OTHER;
}

/*
 * What the passes ask of each token, worked out once per name: a trigger
 * compares one new name with every candidate, and these lookups (a length,
 * a scan for digits, a search of the connective list, the folded form)
 * cost more than the comparisons that use them.
 */
bool
company_side_init(company_side *s, const char *normalized)
{
	const char *as[COMPANY_MAX_TOKENS];
	size_t		size = 1;
	size_t		used = 0;

	s->fold = NULL;
	if (!company_split(normalized, &s->t))
		return false;
	s->n = s->t.n < COMPANY_MAX_TOKENS ? s->t.n : COMPANY_MAX_TOKENS;
	s->total = 0;
	for (int i = 0; i < s->n; i++)
	{
		const char *tok = company_token(&s->t, i);

		as[i] = company_word_canonical(tok);
		s->len[i] = (int) strlen(tok);
		/* a folded token is at most twice its compared form (x -> ks), with its NUL */
		size += 2 * strlen(as[i]) + 1;
	}
	s->fold = malloc(size);
	if (s->fold == NULL)
	{
		company_tokens_free(&s->t);
		return false;
	}
	for (int i = 0; i < s->n; i++)
	{
		const char *tok = company_token(&s->t, i);

		s->digit[i] = has_digit(tok);
		s->connective[i] = is_connective(tok);
		s->weight[i] = token_weight(as[i], (int) strlen(as[i]), s->connective[i]);
		s->total += s->weight[i];
		s->unpaired[i] = unpaired_class(s, i, as[i]);
		s->foff[i] = (int) used;
		s->flen[i] = (int) company_fold_spelling(as[i], strlen(as[i]), s->fold + used);
		used += (size_t) s->flen[i] + 1;
	}
	return true;
}

void
company_side_free(company_side *s)
{
	company_tokens_free(&s->t);
	free(s->fold);
	s->fold = NULL;
}

/*
 * Two words, not a typo: both tokens are English words (and not one the
 * other's plural), or they are compounds whose differing parts are
 * ("northgate" / "southgate": a common ending, and "north" / "south").
 */
static bool
two_words(const char *x, int lx, const char *y, int ly)
{
	int			cs = 0,
				cp = 0;
	char		px[COMPANY_FOLD_MAX + 1],
				py[COMPANY_FOLD_MAX + 1];

	if (lx > COMPANY_FOLD_MAX || ly > COMPANY_FOLD_MAX)
		return false;
	if ((lx == ly + 1 && x[ly] == 's' && memcmp(x, y, ly) == 0) ||
		(ly == lx + 1 && y[lx] == 's' && memcmp(x, y, lx) == 0))
		return false;
	if (company_is_english_word(x) && company_is_english_word(y))
		return true;
	while (cs < lx && cs < ly && x[lx - 1 - cs] == y[ly - 1 - cs])
		cs++;
	while (cp < lx && cp < ly && x[cp] == y[cp])
		cp++;
	if (cs >= 3 && lx - cs >= 5 && ly - cs >= 5)
	{
		memcpy(px, x, lx - cs), px[lx - cs] = '\0';
		memcpy(py, y, ly - cs), py[ly - cs] = '\0';
		if (company_is_english_word(px) && company_is_english_word(py))
			return true;
	}
	if (cp >= 3 && lx - cp >= 5 && ly - cp >= 5)
	{
		memcpy(px, x + cp, lx - cp), px[lx - cp] = '\0';
		memcpy(py, y + cp, ly - cp), py[ly - cp] = '\0';
		if (company_is_english_word(px) && company_is_english_word(py))
			return true;
	}
	return false;
}

/* Whether token i is the one distinctive token of its name. */
static bool
sole_distinctive(const company_side *s, int i)
{
	if (!COMPANY_DISTINCTIVE(s->weight[i]) || s->n < s->t.n)
		return false;
	for (int k = 0; k < s->n; k++)
		if (k != i && COMPANY_DISTINCTIVE(s->weight[k]))
			return false;
	return true;
}

/*
 * Tokens of one spelling fold that are two short names, not one name's two
 * spellings, when each is the whole distinctive part of its name and, as
 * written, they are as long and differ in one letter only, which is either
 * a "c" against a "k" after the first letter ("Acer" / "Aker", "Nidec" /
 * "Nidek", "Elektra" / "Electra": a brand coins its spelling; the scripts'
 * and writers' c/k variants are word-initial, "Kodak" / "Codak", or in long
 * transliterated words, "Rostelekom"), or two letters the fold does not
 * make one ("Maaden" / "Madden": "aa" and "dd" both fold to one letter,
 * but "a" is no spelling of "d"; scored then as the typo it is as written).
 * Short: eight letters or fewer.
 */
#define FALSE_FRIEND_MAX_LEN 8

static int
raw_letter_difference(const company_side *a, int i, const company_side *b, int j, char *cx, char *cy)
{
	const char *x = company_token(&a->t, i);
	const char *y = company_token(&b->t, j);
	int			n = a->len[i],
				at = -1;

	if (n != b->len[j] || n > FALSE_FRIEND_MAX_LEN)
		return -1;
	for (int k = 0; k < n; k++)
		if (x[k] != y[k])
		{
			if (at >= 0)
				return -1;
			at = k;
		}
	if (at >= 0)
		*cx = x[at], *cy = y[at];
	return at;
}

static bool
fold_hides_a_letter(const company_side *a, int i, const company_side *b, int j)
{
	char		cx = 0,
				cy = 0,
				fx[4],
				fy[4];
	int			at = raw_letter_difference(a, i, b, j, &cx, &cy);

	if (at < 0 || a->digit[i] || b->digit[j] || !sole_distinctive(a, i) || !sole_distinctive(b, j))
		return false;
	if ((cx == 'c' && cy == 'k') || (cx == 'k' && cy == 'c'))
		return at > 0;
	company_fold_spelling(&cx, 1, fx);
	company_fold_spelling(&cy, 1, fy);
	return strcmp(fx, fy) != 0;
}

/*
 * Short names, each the whole distinctive part of its name, one of which is
 * the other with a letter written on at the end that the fold swallows:
 * "Mars" / "Marsh" fold alike ("sh" -> "s"), but a brand of five letters or
 * fewer with another last letter is another brand.  Not a doubled letter
 * ("Chub" / "Chubb", a typist's slip) nor a plural "s".
 */
#define LAST_LETTER_FRIEND_MAX_LEN 5

static bool
fold_hides_a_last_letter(const company_side *a, int i, const company_side *b, int j)
{
	const company_side *s = a->len[i] < b->len[j] ? a : b;
	const company_side *l = s == a ? b : a;
	int			si = s == a ? i : j;
	int			li = s == a ? j : i;
	const char *x = company_token(&s->t, si);
	const char *y = company_token(&l->t, li);
	int			n = s->len[si];

	if (l->len[li] != n + 1 || n > LAST_LETTER_FRIEND_MAX_LEN || n < 2 ||
		a->digit[i] || b->digit[j] || !sole_distinctive(a, i) || !sole_distinctive(b, j))
		return false;
	return memcmp(x, y, (size_t) n) == 0 && y[n] != y[n - 1] && y[n] != 's';
}

/*
 * Tokens equal only once spelling-folded that are two English words, not
 * one word's two spellings: "Boots" / "Booths" (th -> t), unlike "Centre" /
 * "Center", which company_words.txt writes one way.
 */
static bool
folded_words_differ(const company_side *a, int i, const company_side *b, int j)
{
	const char *x = company_token(&a->t, i);
	const char *y = company_token(&b->t, j);

	if (a->len[i] == b->len[j] && memcmp(x, y, a->len[i]) == 0)
		return false;
	if (strcmp(company_word_canonical(x), company_word_canonical(y)) == 0)
		return false;
	if (fold_hides_a_letter(a, i, b, j) || fold_hides_a_last_letter(a, i, b, j))
		return true;
	return company_is_english_word(x) && company_is_english_word(y) &&
		two_words(x, a->len[i], y, b->len[j]);
}

/* Whether x and y (same length) differ only by two neighbours swapped. */
static bool
swapped(const char *x, const char *y, int n)
{
	int			i = 0;

	while (i < n && x[i] == y[i])
		i++;
	return i + 1 < n && x[i] == y[i + 1] && x[i + 1] == y[i] &&
		memcmp(x + i + 2, y + i + 2, n - i - 2) == 0;
}

/*
 * Whether two words that end in the same word of a trade ("bank", "energy",
 * "tech") differ only in what comes before it, and that is shorter than five
 * letters in both: a short name with its trade written on, where no typo is
 * forgiven, as in a short word alone ("Nedbank" / "NetBank" are "Ned" and
 * "Net", two names; "Swedbank" / "Swedbnak" still a typo in the trade word).
 */
static bool
typo_in_short_stem(const char *x, int lx, const char *y, int ly)
{
	char		w[MAX_TYPO_TOKEN_LEN + 1];

	for (int l = 4; l < lx && l < ly && l <= MAX_TYPO_TOKEN_LEN; l++)
	{
		if (memcmp(x + lx - l, y + ly - l, (size_t) l) != 0)
			return false;
		if (lx - l >= 5 || ly - l >= 5)
			continue;
		memcpy(w, x + lx - l, (size_t) l);
		w[l] = '\0';
		if (in_list(w, common_words, sizeof(common_words) / sizeof(common_words[0])))
			return true;
	}
	return false;
}

/*
 * Short names one vowel apart, each the whole distinctive part of its name
 * ("Sunoco" / "Sonoco", "Kroger" / "Kruger", "Daikin" / "Daiken", "Nexon" /
 * "Nexen"): brands coin their vowels, and a name of seven letters or fewer
 * with another vowel is another name, not a slip; in longer words a vowel
 * is a writer's variant ("Clariant" / "Clarient", "Heidelberg" /
 * "Heidelburg").  As written, same length, one letter apart.
 */
#define VOWEL_FRIEND_MAX_LEN 7

static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static bool
vowel_for_vowel(const company_side *a, int i, const company_side *b, int j)
{
	char		cx = 0,
				cy = 0;

	if (a->len[i] > VOWEL_FRIEND_MAX_LEN || raw_letter_difference(a, i, b, j, &cx, &cy) < 0)
		return false;
	return is_vowel(cx) && is_vowel(cy) && !a->digit[i] && !b->digit[j] &&
		sole_distinctive(a, i) && sole_distinctive(b, j);
}

/*
 * Similarity of token i of a and token j of b, whose folded forms differ,
 * as typos of each other, or 0.  Compared on the folded forms; two
 * neighbours swapped count half a typo (the commonest slip of a typist,
 * and rare between two real names) when the words as written are as long
 * ("Halma" / "Hallam" fold to a swap, but are not one).
 */
static double
typo_similarity(const company_side *a, int i, const company_side *b, int j)
{
	int			la = a->flen[i];
	int			lb = b->flen[j];
	int			shorter = la < lb ? la : lb;
	int			longer = la < lb ? lb : la;
	/* two typos in words of nine letters or more as written, one in five or more as folded */
	int			allowed = shorter >= 5 ? (a->len[i] >= 9 && b->len[j] >= 9 ? 2 : 1) : 0;
	const char *x = company_side_folded(a, i);
	const char *y = company_side_folded(b, j);
	double		d;

	/* one fold, told apart by folded_words_differ: the letter they differ in as written is a typo */
	if (la == lb && memcmp(x, y, la) == 0 && fold_hides_a_letter(a, i, b, j))
	{
		char		cx = 0,
					cy = 0;

		(void) raw_letter_difference(a, i, b, j, &cx, &cy);
		return (cx == 'c' && cy == 'k') || (cx == 'k' && cy == 'c') || a->len[i] < 5 ? 0.0 : 1.0 - 1.0 / a->len[i];
	}
	/*
	 * Two neighbours swapped as written, in a word of six letters or more
	 * (in a shorter one they can be two names: "Loews" / "Lowe's"): the
	 * fold can hide the swap ("Fujitsu" / "Fujistu": "ts" folds to "k",
	 * "st" does not), so it is looked for in the written forms too.
	 */
	if (a->len[i] == b->len[j] && a->len[i] >= 6 && !a->digit[i] && !b->digit[j] &&
		swapped(company_token(&a->t, i), company_token(&b->t, j), a->len[i]) &&
		!typo_in_short_stem(company_token(&a->t, i), a->len[i], company_token(&b->t, j), b->len[j]) &&
		!two_words(company_token(&a->t, i), a->len[i], company_token(&b->t, j), b->len[j]))
		return 1.0 - 0.5 / a->len[i];
	/* more letters apart than typos allowed: most pairs end here */
	if (allowed == 0 || longer - shorter > allowed || longer > MAX_TYPO_TOKEN_LEN ||
		a->digit[i] || b->digit[j])
		return 0.0;
	/* one typo, the usual case: a linear check instead of the table */
	if (allowed == 1)
		d = !company_within_one_typo(x, la, y, lb) ? 2
			: la == lb && a->len[i] == b->len[j] && swapped(x, y, la) ? 0.5 : 1;
	else
		d = edit_distance(x, la, y, lb, allowed);
	if (d > allowed)
		return 0.0;
	/*
	 * Names that differ only in their last letter, replaced, differ in an
	 * ending ("Solaris" / "Solaria", "Electro" / "Electra"), which names
	 * make on purpose, not in a slip of the typist.
	 */
	if (d == 1 && la == lb && memcmp(x, y, la - 1) == 0)
		return 0.0;
	if (d == 1 && vowel_for_vowel(a, i, b, j))
		return 0.0;
	if (typo_in_short_stem(company_token(&a->t, i), a->len[i], company_token(&b->t, j), b->len[j]))
		return 0.0;
	if (two_words(company_token(&a->t, i), a->len[i], company_token(&b->t, j), b->len[j]))
		return 0.0;
	return 1.0 - d / longer;
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

static int
left_unpaired(const company_side *s, const bool *used)
{
	int			left = 0;

	for (int i = 0; i < s->n; i++)
		if (!used[i])
			left |= s->unpaired[i];
	return left;
}

/*
 * Names whose tokens all pair up but for words of a trade on one side and
 * nothing, words of a kind of holding, or words of another trade on the
 * other ("Mercedes-Benz" or "Mercedes-Benz Group" / "Mercedes-Benz Bank",
 * "General Electric" / "General Electric Capital", "Saudi Arabian Airlines"
 * / "Saudi Arabian Mining") are a company and its business in that trade,
 * or two businesses: two companies.  The weights alone leave a pair of two or more
 * shared words above the threshold (0.87-0.94), so their score is
 * multiplied by TRADE_AGAINST_HOLDING, which takes them below it (0.78-0.84;
 * "Siemens" / "Siemens Energy" 0.75).  A trade word paired with another
 * side's ("Optik" / "Optics") is no leftover.
 */
#define TRADE_AGAINST_HOLDING 0.9

static bool
trade_against_holding(int left_a, int left_b)
{
	return (left_a == LEFT_TRADE && (left_b == 0 || left_b == LEFT_HOLDING || left_b == LEFT_TRADE)) ||
		(left_b == LEFT_TRADE && (left_a == 0 || left_a == LEFT_HOLDING));
}

/*
 * One direction of the three passes; returns the matched weight, and in
 * *left_a and *left_b what each side left unpaired (left_unpaired).
 */
static double
align(const company_side *a, const company_side *b, bool *acronym_found, int *left_a, int *left_b)
{
	bool		used_a[COMPANY_MAX_TOKENS] = {false};
	bool		used_b[COMPANY_MAX_TOKENS] = {false};
	candidate	cand[COMPANY_MAX_TOKENS * 4];
	int			ncand = 0;
	double		matched = 0;

	/* equal tokens */
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			if (!used_b[j] && a->flen[i] == b->flen[j] &&
				memcmp(company_side_folded(a, i), company_side_folded(b, j), a->flen[i]) == 0 &&
				!folded_words_differ(a, i, b, j))
			{
				used_a[i] = used_b[j] = true;
				matched += (a->weight[i] + b->weight[j]) / 2;
				break;
			}

	matched += company_acronym_pass(a, b, used_a, used_b, acronym_found);

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
	*left_a = left_unpaired(a, used_a);
	*left_b = left_unpaired(b, used_b);
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

/* The compared forms of both names' words, concatenated, are equal ("astrazeneca" / "astra zeneka"). */
static bool
same_folds_concatenated(const company_side *a, const company_side *b)
{
	int			i = 0,
				j = 0;
	const char *x = a->n > 0 ? company_side_folded(a, 0) : "";
	const char *y = b->n > 0 ? company_side_folded(b, 0) : "";

	if (a->n == 0 || b->n == 0 || a->n < a->t.n || b->n < b->t.n)
		return false;
	for (;;)
	{
		if (*x == '\0' && i + 1 < a->n)
			x = company_side_folded(a, ++i);
		if (*y == '\0' && j + 1 < b->n)
			y = company_side_folded(b, ++j);
		if (*x == '\0' || *y == '\0')
			return *x == '\0' && *y == '\0' && i + 1 == a->n && j + 1 == b->n;
		if (*x++ != *y++)
			return false;
	}
}

/*
 * Names of as many tokens, one of which folds alike but was told apart
 * (folded_words_differ: "Boots" / "Booths", "Acer Group" / "Aker Group"):
 * their folds concatenate alike, which must not make them one name.
 */
static bool
told_apart_tokenwise(const company_side *a, const company_side *b)
{
	if (a->n != b->n)
		return false;
	for (int k = 0; k < a->n; k++)
		if (a->flen[k] == b->flen[k] &&
			memcmp(company_side_folded(a, k), company_side_folded(b, k), (size_t) a->flen[k]) == 0 &&
			folded_words_differ(a, k, b, k))
			return true;
	return false;
}

/*
 * A normalized name made ready for comparison with many others: its side
 * is built once, not once per comparison.
 */
struct company_name
{
	const char *text;			/* the caller's string, kept alive by the caller */
	company_side s;
};

company_name *
company_name_prepare(const char *normalized)
{
	company_name *name = malloc(sizeof(company_name));

	if (name == NULL)
		return NULL;
	name->text = normalized;
	if (!company_side_init(&name->s, normalized))
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
	company_side_free(&name->s);
	free(name);
}

/* The measure between a prepared name and side b of the name b. */
static float
similarity_of_sides(const char *a, const company_side *sa, const char *b, const company_side *sb,
					company_match_kind *kind)
{
	bool		acr_ab = false,
				acr_ba = false;
	int			la_ab = 0,
				lb_ab = 0,
				la_ba = 0,
				lb_ba = 0;
	double		ab = 0,
				ba = 0,
				best;
	company_match_kind k;

	if (sa->total + sb->total <= 0)
		best = 0;
	else
	{
		ab = 2 * align(sa, sb, &acr_ab, &la_ab, &lb_ab) / (sa->total + sb->total);
		ba = 2 * align(sb, sa, &acr_ba, &lb_ba, &la_ba) / (sa->total + sb->total);
		if (trade_against_holding(la_ab, lb_ab))
			ab *= TRADE_AGAINST_HOLDING;
		if (trade_against_holding(la_ba, lb_ba))
			ba *= TRADE_AGAINST_HOLDING;
		best = ab >= ba ? ab : ba;
	}
	k = (ab >= ba ? acr_ab : acr_ba) ? COMPANY_MATCH_ACRONYM : COMPANY_MATCH_FUZZY;
	if ((same_when_concatenated(a, b) ||
		 (same_folds_concatenated(sa, sb) && !told_apart_tokenwise(sa, sb))) &&
		best < 0.95)
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
	company_side sb;
	float		score;

	if (strcmp(a->text, b) == 0)
	{
		if (kind)
			*kind = COMPANY_MATCH_EXACT;
		return 1.0f;
	}
	if (!company_side_init(&sb, b))
	{
		if (kind)
			*kind = COMPANY_MATCH_NONE;
		return 0.0f;
	}
	score = similarity_of_sides(a->text, &a->s, b, &sb, kind);
	company_side_free(&sb);
	return score;
}

float
company_similarity_names(const company_name *a, const company_name *b, company_match_kind *kind)
{
	if (strcmp(a->text, b->text) == 0)
	{
		if (kind)
			*kind = COMPANY_MATCH_EXACT;
		return 1.0f;
	}
	return similarity_of_sides(a->text, &a->s, b->text, &b->s, kind);
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

	company_jurisdictions ja,
				jb;

	st = company_normalize_jurisdictions(a, alen, &na, &ja);
	if (st == COMPANY_OK)
		st = company_normalize_jurisdictions(b, blen, &nb, &jb);
	if (st == COMPANY_OK)
	{
		*score = company_similarity_normalized(na, nb, kind);
		/* forms of different jurisdictions: two companies more likely than one */
		if (company_jurisdictions_conflict(&ja, &jb))
			*score *= COMPANY_JURISDICTION_PENALTY;
	}
	free(na);
	free(nb);
	return st;
}
