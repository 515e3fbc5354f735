/*
 * company_match_keys.c -- the blocking keys of a normalized name: two
 * names whose similarity reaches the matching threshold have keys that
 * meet (company_keys.c), so an index over the keys finds the candidates.
 *
 * Words are keyed in the form company_similarity compares them (their
 * word form and spelling fold, company_words.c), so that "Surgutneftegaz"
 * and "Surgutneftegas" share a key as they share a token; the name
 * without spaces, acronyms and initials are keyed as written.
 */
#include "company.h"
#include "company_side.h"
#include "company_tokens.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
 * When prefix_keys asks for them, a word of nine letters or more as
 * written, where two typos are forgiven, also gets its first and last
 * four letters as keys, folded and as written (see company_match_keys).
 */
static bool
token_keys(keyset *k, const company_side *s, int i, bool prefix_keys)
{
	const char *tok = company_side_folded(s, i);
	size_t		len = (size_t) s->flen[i];
	char	   *reversed;

	if (len < 3)
		return true;
	if (len < 5 || s->digit[i])
		return key_add(k, "d:", tok, len);
	if (prefix_keys && s->len[i] >= 9)
	{
		const char *raw = company_token(&s->t, i);
		size_t		rlen = (size_t) s->len[i];

		/*
		 * Both as folded and as written: folding can move the letters
		 * two typos leave alike ("carrefour" / "carrfeuor" share "carr",
		 * while their folds "karefur" / "karfeuor" share no four).
		 */
		if (!key_add(k, "p:", tok, 4) || !key_add(k, "s:", tok + len - 4, 4))
			return false;
		if (memcmp(raw, tok, 4) != 0 && !key_add(k, "p:", raw, 4))
			return false;
		if (memcmp(raw + rlen - 4, tok + len - 4, 4) != 0 && !key_add(k, "s:", raw + rlen - 4, 4))
			return false;
	}
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

/*
 * The compared forms of the words without spaces, when they differ from
 * the name without spaces: names whose folds concatenate alike score 0.95
 * too ("astrazeneca" / "astra zeneka").  Only for names whose every token
 * is compared.
 */
static bool
folded_name_key(keyset *k, const company_side *s, const char *normalized)
{
	size_t		size = 1;
	char	   *joined;
	size_t		n = 0;
	bool		ok = true;
	size_t		rawlen = 0;

	if (s->n < s->t.n || s->n == 0)
		return true;
	for (int i = 0; i < s->n; i++)
		size += (size_t) s->flen[i];
	joined = malloc(size);
	if (joined == NULL)
		return false;
	for (int i = 0; i < s->n; i++)
	{
		memcpy(joined + n, company_side_folded(s, i), (size_t) s->flen[i]);
		n += (size_t) s->flen[i];
	}
	for (const char *p = normalized; *p; p++)
		rawlen += *p != ' ';
	if (n != rawlen || memcmp(joined, k->buf + k->used - 1 - rawlen, n) != 0)
		ok = key_add(k, "k:", joined, n);
	free(joined);
	return ok;
}

company_status
company_match_keys(const char *normalized, char ***keys, int *nkeys)
{
	company_side s;
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
	if (!company_side_init(&s, normalized))
		return COMPANY_NO_MEMORY;

	for (int i = 0; i < s.n; i++)
		ndistinctive += COMPANY_DISTINCTIVE(s.weight[i]);
	ok = name_key(&k, normalized) && folded_name_key(&k, &s, normalized);
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
		if (COMPANY_DISTINCTIVE(s.weight[i]))
			ok = token_keys(&k, &s, i, ndistinctive == 1);
		/*
		 * Any short token may be an acronym of the other name -- but a
		 * business word or a connective only matters in a name of such
		 * words: beside a distinctive word it weighs too little to carry
		 * a match, and "foods" or "steel" would find every name of the
		 * trade.
		 */
		/* a letter counted ("3m"), which company_similarity spells out */
		if (ok && len == 2 && tok[0] >= '3' && tok[0] <= '5' && tok[1] >= 'a' && tok[1] <= 'z')
		{
			char		repeated[5];

			memset(repeated, tok[1], (size_t) (tok[0] - '0'));
			ok = key_add(&k, "a:", repeated, (size_t) (tok[0] - '0'));
		}
		if (ok && len >= 2 && len <= 5 && !s.digit[i] && (s.weight[i] > COMPANY_COMMON_WEIGHT + 1e-9 || ndistinctive == 0))
		{
			ok = key_add(&k, "a:", tok, len);
			/*
			 * An acronym may end with the initials of a legal form the
			 * other name has lost to normalization ("adnoc" / "abu dhabi
			 * national oil [company]"): keyed without them too.
			 */
			if (ok && len >= 4 && tok[len - 1] == 'c')
				ok = key_add(&k, "a:", tok, len - 1);
			else if (ok && len >= 5 && tok[len - 2] == 'c' && tok[len - 1] == 'o')
				ok = key_add(&k, "a:", tok, len - 2);
			else if (ok && len >= 4 && tok[len - 1] == 'l')
				ok = key_add(&k, "a:", tok, len - 1);
		}
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
	/*
	 * The initials without the words of a trade or holding that end the
	 * name, which an acronym often leaves out ("anz" / "australia and new
	 * zealand banking group").
	 */
	if (ok && s.n == s.t.n)
	{
		int			last = s.n;

		while (last > 0 && !s.connective[last - 1] && s.weight[last - 1] <= COMPANY_COMMON_WEIGHT + 1e-9)
			last--;
		if (last < s.n)
		{
			int			nl = 0,
						nlc = 0;

			for (int i = 0; i < last; i++)
			{
				nl++;
				nlc += !s.connective[i];
			}
			if (nl >= 3 && nl <= 5)
				ok = key_add(&k, "i:", initials, (size_t) nl);
			if (ok && nlc >= 3 && nlc <= 5 && nlc != nl)
				ok = key_add(&k, "i:", initials_nc, (size_t) nlc);
		}
	}
	company_side_free(&s);
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
