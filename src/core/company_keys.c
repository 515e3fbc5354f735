/*
 * company_keys.c -- when two blocking keys meet, and where an index finds
 * the keys that meet a given one.
 *
 * A blocking key (company_match_keys, company_similarity.c) is an optional
 * head "country|product line|", a kind "x:" and a body.  Keys of most kinds
 * meet only an equal key; an acronym ("a:") also meets the same letters as
 * initials ("i:"), and initials meet only an acronym.  A word key -- "w:" and the word, or "r:" and the
 * word reversed -- meets a word key of the same head and kind whose body is
 * within one typo of it: one letter replaced, inserted or dropped, or two
 * neighbours swapped (the optimal string alignment distance 1 that
 * company_similarity allows in a word of five letters or more).
 *
 * Why two forms of each word: one typo leaves either the first half or the
 * second half of a word untouched (see company_key_probe_len), so the words
 * within one typo of a given one all start with its first half or end with
 * its second half.  In an ordered index those are two short ranges: the
 * "w:" keys starting with the first half, and the "r:" keys starting with
 * the reversed second half.  Each word is then two index entries, where
 * its one-deletion variants used to be one per letter, with one probe each.
 */
#include <stdbool.h>
#include <string.h>

#include "company.h"

/*
 * The kind letter of a key ('w' in "US|NET|w:siemens"), or 0 when it has
 * no "x:" after its head; *body is where the body starts.
 */
char
company_key_kind(const char *key, size_t len, size_t *body)
{
	size_t		tag = 0;

	for (size_t i = 0; i < len; i++)
		if (key[i] == '|')
			tag = i + 1;
	*body = tag + 2;
	if (tag + 2 > len || key[tag + 1] != ':')
	{
		*body = 0;
		return 0;
	}
	return key[tag];
}

/*
 * Length of the head, the kind and h = (n - 1) / 2 letters of an n-letter
 * word: every word within one typo of it starts with that much of the word
 * (the "w:" form) or of it reversed (the "r:" form).  A replaced letter at
 * position i leaves the first i letters and the last n - 1 - i alike, one
 * of them >= h; a swap of i and i + 1 the first i and the last n - 2 - i,
 * and i >= h or n - 2 - i >= h because 2h <= n - 1; a letter inserted at i
 * (n + 1 letters) or dropped at i (n - 1 letters) likewise leaves the first
 * i and the last n - i or n - 1 - i.  For any other key: its whole length.
 */
size_t
company_key_probe_len(const char *key, size_t len)
{
	size_t		body;
	char		kind = company_key_kind(key, len, &body);

	if (kind != 'w' && kind != 'r')
		return len;
	if (len == body)
		return body;			/* an empty word: its neighbours are the one-letter words */
	return body + (len - body - 1) / 2;
}

static size_t
common_prefix(const char *a, const char *b, size_t n)
{
	size_t		i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Optimal string alignment distance of a and b is at most 1: O(length). */
bool
company_within_one_typo(const char *a, size_t la, const char *b, size_t lb)
{
	size_t		i;

	if (la < lb)
	{
		const char *t = a;
		size_t		lt = la;

		a = b, la = lb;
		b = t, lb = lt;
	}
	if (la - lb > 1)
		return false;
	i = common_prefix(a, b, lb);
	if (i == lb)
		return true;			/* equal, or b is a with its last letter dropped */
	if (la > lb)				/* b is a with letter i dropped */
		return memcmp(a + i + 1, b + i, lb - i) == 0;
	if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
		return true;			/* letter i replaced */
	return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;	/* i and i + 1 swapped */
}

/* b's letter k counted from its end */
#define REV(b, lb, k) ((b)[(lb) - 1 - (k)])

/*
 * Whether a and b reversed are within one typo: company_within_one_typo
 * reading b from its end.  The distance of a to b reversed is that of b
 * to a reversed, so the longer word can always be a.
 */
static bool
within_one_typo_reversed(const char *a, size_t la, const char *b, size_t lb)
{
	size_t		i = 0;

	if (la < lb)
	{
		const char *t = a;
		size_t		lt = la;

		a = b, la = lb;
		b = t, lb = lt;
	}
	if (la - lb > 1)
		return false;
	while (i < lb && a[i] == REV(b, lb, i))
		i++;
	if (i == lb)
		return true;			/* equal, or b is a with its last letter dropped */
	if (la > lb)
	{
		/* b is a with letter i dropped */
		for (size_t k = i; k < lb; k++)
			if (a[k + 1] != REV(b, lb, k))
				return false;
		return true;
	}
	for (size_t k = i + 1;; k++)
	{
		if (k == la)
			return true;		/* letter i replaced */
		if (a[k] != REV(b, lb, k))
			break;
	}
	if (i + 1 >= la || a[i] != REV(b, lb, i + 1) || a[i + 1] != REV(b, lb, i))
		return false;
	for (size_t k = i + 2; k < la; k++)	/* i and i + 1 swapped */
		if (a[k] != REV(b, lb, k))
			return false;
	return true;
}

/*
 * Word keys meet within one typo, whichever form each is written in: "w:"
 * holds the word, "r:" the same word reversed, so "w:siemens" and
 * "r:snemeis" are one key (an index holds both forms of every word, see
 * company_keys_gin.c, so that it answers exactly as this function).  An
 * acronym ("a:", a short word) meets the initials ("i:") of a name's
 * words, and its equal, while two names' initials do not meet: names of
 * different words with the same initials are no acronym match, and the
 * same words meet through their own keys.
 */
bool
company_keys_meet(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		abody,
				bbody;
	char		akind = company_key_kind(a, alen, &abody);
	char		bkind = company_key_kind(b, blen, &bbody);

	return company_keys_meet_parsed(a, alen, akind, abody, b, blen, bkind, bbody);
}

bool
company_keys_meet_parsed(const char *a, size_t alen, char akind, size_t abody,
						 const char *b, size_t blen, char bkind, size_t bbody)
{
	bool		aword = akind == 'w' || akind == 'r';
	bool		bword = bkind == 'w' || bkind == 'r';

	if (aword && bword)
	{
		/* same head */
		if (abody != bbody || memcmp(a, b, abody - 2) != 0)
			return false;
		if (akind == bkind)
			return company_within_one_typo(a + abody, alen - abody, b + bbody, blen - bbody);
		return within_one_typo_reversed(a + abody, alen - abody, b + bbody, blen - bbody);
	}
	if (akind != bkind)
	{
		if (!((akind == 'a' && bkind == 'i') || (akind == 'i' && bkind == 'a')))
			return false;
		/* same head, same body, kinds told apart */
		return alen == blen && abody == bbody && memcmp(a, b, abody - 2) == 0 &&
			memcmp(a + abody, b + bbody, alen - abody) == 0;
	}
	if (akind == 'i')
		return false;
	return alen == blen && memcmp(a, b, alen) == 0;
}
