/*
 * company_acronym.c -- the acronym pass of company_similarity: a short token
 * of one name against a run of the other name's tokens whose initials (or
 * first syllables, or the starts of a compound's parts) spell it.
 *
 * Kept apart from company_similarity.c, which calls company_acronym_pass()
 * between its equal-token and near-token passes, on the same company_side
 * (company_side.h) the blocking keys see.
 */
#include "company_side.h"
#include "company_tokens.h"
#include "company_words.h"

#include <stdbool.h>
#include <string.h>

/*
 * Whether acr[k..len) spells the tokens of b from end on, each unused
 * token giving its first letter -- or, with syllables, its first one to
 * three letters ("kepco" from "korea electric power co...") -- a
 * connective after the first also giving nothing, when skip allows.  The
 * run may stop short of the acronym's end by a dropped legal form's
 * initials ("c", "co", "l", "sa", "ao": "adnoc" / "abu dhabi national oil
 * [company]", "pdvsa" / "petroleos de venezuela [s.a.]", "tpao" / "turkiye
 * petrolleri [anonim ortakligi]"; the two-letter ones after initials only:
 * "itausa" is not "ita" + "u" from "itau unibanco" and a form)
 * when it reaches the end of b.  On success *stop is the token after the
 * run and *w the weight of its tokens.
 */
static bool
spells(const company_side *b, const bool *used_b, int end, int first, const char *acr, int k, int len,
	   bool syllables, bool skip, int *stop, double *w, int *budget)
{
	const char *tok;
	int			most;

	/* a bound on the search, for names made to defeat it; real ones take a few steps */
	if (--*budget < 0)
		return false;
	if (k == len)
	{
		*stop = end;
		*w = 0;
		return end - first >= 2;
	}
	if (end == b->n)
	{
		const char *rest = acr + k;

		*stop = end;
		*w = 0;
		return end - first >= 2 && k >= 2 &&
			(strcmp(rest, "c") == 0 || strcmp(rest, "co") == 0 || strcmp(rest, "l") == 0 ||
			 (!syllables && (strcmp(rest, "sa") == 0 || strcmp(rest, "ao") == 0)));
	}
	if (used_b[end])
		return false;
	tok = company_token(&b->t, end);
	if (skip && b->connective[end] && end > first &&
		spells(b, used_b, end + 1, first, acr, k, len, syllables, skip, stop, w, budget))
	{
		*w += b->weight[end];
		return true;
	}
	most = syllables ? 3 : 1;
	for (int p = most; p >= 1; p--)
	{
		if (p > b->len[end] || k + p > len || memcmp(tok, acr + k, p) != 0)
			continue;
		if (spells(b, used_b, end + 1, first, acr, k + p, len, syllables, skip, stop, w, budget))
		{
			*w += b->weight[end];
			return true;
		}
	}
	return false;
}


/*
 * Compound words ("glaxosmithkline", "kullagerfabriken", "mineralolverwaltung",
 * "takarekpenztar") keep their parts' initials in the acronym ("gsk", "skf",
 * "omv", "otp"), which no token boundary shows once the name is lower case.
 * A part is taken to start at p of a token when tok[p] is a consonant, at
 * least three letters precede it and four follow, and either an English word
 * of four letters or more starts or ends there ("glaxo|smith|kline",
 * "kul|lager|fabriken"), or it follows another consonant that does not make
 * one sound with it ("takarek|penztar", "mineralol|verwaltung"; not the "h"
 * of "th", "ch", ..., nor the "k" of "ck", nor a doubled letter), with a
 * vowel before it in the token and one among the three letters after it.
 */
static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static bool
english_word_at(const char *tok, int len, int p)
{
	char		buf[COMPANY_FOLD_MAX + 1];

	for (int l = 4; l <= 12; l++)
	{
		if (p + l <= len)
		{
			memcpy(buf, tok + p, (size_t) l);
			buf[l] = '\0';
			if (company_is_english_word(buf))
				return true;
		}
		if (p - l >= 0)
		{
			memcpy(buf, tok + p - l, (size_t) l);
			buf[l] = '\0';
			if (company_is_english_word(buf))
				return true;
		}
	}
	return false;
}

static bool
part_starts(const char *tok, int len, int p)
{
	char		x,
				y;
	bool		vowel_before = false,
				vowel_after = false;

	if (p < 3 || len - p < 4 || len > COMPANY_FOLD_MAX || is_vowel(tok[p]) || tok[p] < 'a' || tok[p] > 'z')
		return false;
	if (english_word_at(tok, len, p))
		return true;
	x = tok[p - 1];
	y = tok[p];
	if (is_vowel(x) || x == y || y == 'h' || (x == 'c' && y == 'k') || x < 'a' || x > 'z')
		return false;
	for (int q = 0; q < p - 1; q++)
		vowel_before |= is_vowel(tok[q]);
	for (int q = p + 1; q <= p + 3 && q < len; q++)
		vowel_after |= is_vowel(tok[q]);
	return vowel_before && vowel_after;
}

static bool compound_spells(const company_side *b, const bool *used_b, int t, const char *acr, int k,
							int len, bool inner, int *budget);

/* The letters acr[k..) from the parts of token t after position from, then from the tokens after t. */
static bool
compound_parts(const company_side *b, const bool *used_b, int t, int from, const char *acr, int k, int len,
			   bool inner, int *budget)
{
	const char *tok = company_token(&b->t, t);

	if (--*budget < 0)
		return false;
	if (compound_spells(b, used_b, t + 1, acr, k, len, inner, budget))
		return true;
	if (k == len)
		return false;
	for (int p = from; p < b->len[t]; p++)
		if (tok[p] == acr[k] && part_starts(tok, b->len[t], p) &&
			compound_parts(b, used_b, t, p + 3, acr, k + 1, len, true, budget))
			return true;
	return false;
}

/*
 * Whether acr[k..len) spells every unused token of b from t on, each giving
 * its first letter and maybe the starts of its parts, at least one such part
 * in all (inner); a connective after the first token may give nothing, and
 * so may the words of a trade or holding that end the name.
 */
static bool
compound_spells(const company_side *b, const bool *used_b, int t, const char *acr, int k, int len,
				bool inner, int *budget)
{
	if (--*budget < 0)
		return false;
	while (t < b->n && used_b[t])
		t++;
	if (k == len)
	{
		for (; t < b->n; t++)
			if (!used_b[t] && !b->connective[t] && b->weight[t] > COMPANY_COMMON_WEIGHT + 1e-9)
				return false;
		return inner && b->n == b->t.n;
	}
	if (t == b->n)
		return false;
	if (b->connective[t] && k > 0 &&
		compound_spells(b, used_b, t + 1, acr, k, len, inner, budget))
		return true;
	if (company_token(&b->t, t)[0] != acr[k] || b->digit[t])
		return false;
	return compound_parts(b, used_b, t, 1, acr, k + 1, len, inner, budget);
}

/*
 * The compound pass, for an acronym of three to five letters that no run of
 * b spells by initials or syllables: it must spell all of b's unused tokens
 * (so a name's other words cannot ride on it), and scores as syllables do.
 */
static double
compound_acronym(const company_side *a, int i, const company_side *b, bool *used_b)
{
	const char *acr = company_token(&a->t, i);
	int			len = a->len[i];
	int			budget = 128;
	double		w = 0;

	if (len < 3 || len > 5 || a->digit[i] || !compound_spells(b, used_b, 0, acr, 0, len, false, &budget))
		return -1;
	for (int j = 0; j < b->n; j++)
		if (!used_b[j])
		{
			used_b[j] = true;
			w += b->weight[j];
		}
	return 0.85 * (a->weight[i] + w) / 2;
}

/*
 * Three-letter acronyms spell first syllables only of a name of two words,
 * both still unpaired ("rai" / "radiotelevisione italiana"): with more words
 * three letters from syllables fit too many names.
 */
static bool
syllables_of_two(const company_side *b, const bool *used_b, int len)
{
	return len == 3 && b->n == 2 && b->t.n == 2 && !used_b[0] && !used_b[1] &&
		!b->connective[0] && !b->connective[1];
}

/*
 * Acronym pass, from a's short tokens to runs in b: a run matches when the
 * initials of all its tokens, or of its tokens but the connectives, spell
 * the acronym (0.9), or, for acronyms of four letters or more, their
 * first syllables do (0.85).
 */
double
company_acronym_pass(const company_side *a, const company_side *b, bool *used_a, bool *used_b, bool *found)
{
	double		matched = 0;

	for (int i = 0; i < a->n; i++)
	{
		const char *acr = company_token(&a->t, i);
		int			len = a->len[i];

		char		repeated[10];

		if (used_a[i] || len < 2 || len > 8)
			continue;
		/* a letter counted: "3m" for "minnesota mining and manufacturing" */
		if (a->digit[i])
		{
			if (len != 2 || acr[0] < '2' || acr[0] > '9' || acr[1] < 'a' || acr[1] > 'z')
				continue;
			len = acr[0] - '0';
			memset(repeated, acr[1], (size_t) len);
			repeated[len] = '\0';
			acr = repeated;
		}
		for (int syl = 0; syl <= (len >= 4 || syllables_of_two(b, used_b, len) ? 1 : 0); syl++)
			for (int start = 0; start < b->n; start++)
			{
				/*
				 * A run starts with an unused token whose first letter is
				 * the acronym's (spells() would find that out, twice, for
				 * every start): most starts fail here.
				 */
				if (used_b[start] || company_token(&b->t, start)[0] != acr[0])
					continue;
				for (int skip = 0; skip <= 1; skip++)
				{
					int			stop;
					double		w;
					int			budget = 64;
					int			rest;

					if (!spells(b, used_b, start, start, acr, 0, len, syl, skip, &stop, &w, &budget))
						continue;
					/*
					 * Words of a trade or holding ending the name go with
					 * the run: an acronym often leaves them out ("anz" /
					 * "australia and new zealand banking group").
					 */
					for (rest = stop; rest < b->n && !used_b[rest] && !b->connective[rest] &&
						 b->weight[rest] <= COMPANY_COMMON_WEIGHT + 1e-9; rest++)
						;
					if (rest == b->n)
						for (; stop < b->n; stop++)
							w += b->weight[stop];
					used_a[i] = true;
					for (int j = start; j < stop; j++)
						used_b[j] = true;
					matched += (syl ? 0.85 : 0.9) * (a->weight[i] + w) / 2;
					*found = true;
					goto next_acronym;
				}
			}
		if (!a->digit[i])
		{
			double		m = compound_acronym(a, i, b, used_b);

			if (m >= 0)
			{
				used_a[i] = true;
				matched += m;
				*found = true;
			}
		}
next_acronym:;
	}
	return matched;
}

