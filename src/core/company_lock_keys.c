/*
 * company_lock_keys.c -- the advisory locks a registration takes before its
 * conflict lookup, derived from its blocking keys.
 *
 * The registration trigger serializes two registrations that could
 * conflict, so that the second one's lookup sees the first one's row.  The
 * lookup finds the live registrations whose blocking keys meet the new
 * one's (company_keys_meet, the GIN operator class &&~), so it is enough
 * that two registrations whose keys meet share a lock: every lock key below
 * is derived from one blocking key, and two keys that meet always give one
 * lock key in common, taken exclusively by at least one of the two.  Keys
 * that do not meet seldom share a lock key, so registrations of unrelated
 * customers of one country and product line do not wait for each other.
 *
 * The lock keys of one blocking key (heads "country|line|" are left out:
 * the caller scopes every lock by country and line):
 *   - a word key ("w:" word, or "r:" the word reversed; forward word x of
 *     n letters): for m = n - 1 and m = n, "w<m>:" and the first h(m)
 *     letters of x, and "r<m>:" and the first h(m) letters of x reversed,
 *     where h(m) = (m - 1) / 2 is company_key_probe_len's half.  Two words
 *     within one typo have lengths m and m + 1, or both m: each of them
 *     takes the lock keys tagged m, and they share their first h(m)
 *     letters or their last h(m) letters (the argument of
 *     company_key_probe_len, applied to the longer word, with h(m) <= h(m + 1)),
 *     so they share "w<m>:" or "r<m>:" and the same letters.  A typo across
 *     the middle of a word leaves one of the halves alike, so it is covered;
 *   - an acronym "a:" x: "a:" x, exclusive; initials "i:" x: "a:" x,
 *     SHARED -- initials meet an acronym of the same letters (one of the
 *     two exclusive: they wait) but not other initials (both shared: they
 *     do not);
 *   - any other key (the whole name "k:", short words "d:", four-letter
 *     prefixes and suffixes "p:" / "s:"): itself, exclusive, since it meets
 *     only its equal;
 *   - a key without a kind: "=" and the whole key, exclusive.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"

typedef struct lock_draft
{
	char		tag[24];		/* "w12:", "a:", ... */
	const char *body;			/* the letters after the tag (NULL: reversed) */
	const char *rbody;			/* reversed from the end, when body is NULL */
	size_t		blen;
	bool		shared;
} lock_draft;

static size_t
half(size_t m)
{
	return m >= 1 ? (m - 1) / 2 : 0;
}

/* Up to four drafts of one key; returns how many. */
static int
drafts_of(const char *key, size_t len, lock_draft *d)
{
	size_t		body;
	char		kind = company_key_kind(key, len, &body);
	size_t		head = body >= 2 ? body - 2 : 0;
	int			n = 0;

	if (kind == 'w' || kind == 'r')
	{
		size_t		wl = len - body;
		const char *w = key + body;
		bool		forward = kind == 'w';

		for (size_t m = wl >= 1 ? wl - 1 : 0; m <= wl; m++)
		{
			size_t		h = half(m);

			/* the forward word's first h letters */
			snprintf(d[n].tag, sizeof d[n].tag, "w%zu:", m);
			d[n].blen = h;
			d[n].shared = false;
			d[n].body = forward ? w : NULL;
			d[n].rbody = forward ? NULL : w + wl;
			n++;
			/* the reversed word's first h letters: the forward word's last h, from its end */
			snprintf(d[n].tag, sizeof d[n].tag, "r%zu:", m);
			d[n].blen = h;
			d[n].shared = false;
			d[n].body = forward ? NULL : w;
			d[n].rbody = forward ? w + wl : NULL;
			n++;
			if (wl == 0)
				break;
		}
		return n;
	}
	if (kind == 'a' || kind == 'i')
	{
		strcpy(d[0].tag, "a:");
		d[0].body = key + body;
		d[0].rbody = NULL;
		d[0].blen = len - body;
		d[0].shared = kind == 'i';
		return 1;
	}
	if (kind == 0)
	{
		strcpy(d[0].tag, "=");
		d[0].body = key;
		d[0].blen = len;
	}
	else
	{
		d[0].tag[0] = '\0';
		d[0].body = key + head;	/* "k:siemens" */
		d[0].blen = len - head;
	}
	d[0].rbody = NULL;
	d[0].shared = false;
	return 1;
}

static int
lock_cmp(const void *a, const void *b)
{
	const company_lock *x = a,
			   *y = b;
	size_t		n = x->len < y->len ? x->len : y->len;
	int			c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

company_status
company_lock_keys(const char *const *keys, const size_t *lens, int nkeys,
				  company_lock **locks, int *nlocks)
{
	size_t		text = 0;
	int			max = 0;
	company_lock *out;
	char	   *p;
	int			n = 0,
				kept = 0;

	*locks = NULL;
	*nlocks = 0;
	if (nkeys <= 0)
		return COMPANY_OK;
	for (int i = 0; i < nkeys; i++)
	{
		/* at most four drafts of at most a tag, the key and a NUL each */
		text += 4 * (lens[i] + 24 + 1);
		max += 4;
	}
	out = malloc(sizeof(company_lock) * (size_t) max + text);
	if (out == NULL)
		return COMPANY_NO_MEMORY;
	p = (char *) (out + max);
	for (int i = 0; i < nkeys; i++)
	{
		lock_draft d[4];
		int			nd = drafts_of(keys[i], lens[i], d);

		for (int j = 0; j < nd; j++)
		{
			size_t		tl = strlen(d[j].tag);

			memcpy(p, d[j].tag, tl);
			if (d[j].body != NULL)
				memcpy(p + tl, d[j].body, d[j].blen);
			else
				for (size_t c = 0; c < d[j].blen; c++)
					p[tl + c] = d[j].rbody[-1 - (ptrdiff_t) c];
			p[tl + d[j].blen] = '\0';
			out[n].key = p;
			out[n].len = tl + d[j].blen;
			out[n].shared = d[j].shared;
			p += out[n].len + 1;
			n++;
		}
	}
	qsort(out, (size_t) n, sizeof(company_lock), lock_cmp);
	/* one of each, exclusive if any of its copies is */
	for (int i = 0; i < n; i++)
	{
		if (kept > 0 && lock_cmp(&out[kept - 1], &out[i]) == 0)
		{
			out[kept - 1].shared = out[kept - 1].shared && out[i].shared;
			continue;
		}
		out[kept++] = out[i];
	}
	*locks = out;
	*nlocks = kept;
	return COMPANY_OK;
}

bool
company_locks_conflict(const company_lock *a, int na, const company_lock *b, int nb)
{
	int			i = 0,
				j = 0;

	while (i < na && j < nb)
	{
		int			c = lock_cmp(&a[i], &b[j]);

		if (c == 0 && !(a[i].shared && b[j].shared))
			return true;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	return false;
}

/* FNV-1a, 32 bits, of scope, a '|' and key. */
uint32_t
company_lock_hash(const char *scope, size_t slen, const char *key, size_t klen)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < slen; i++)
		h = (h ^ (unsigned char) scope[i]) * 16777619u;
	h = (h ^ (unsigned char) '|') * 16777619u;
	for (size_t i = 0; i < klen; i++)
		h = (h ^ (unsigned char) key[i]) * 16777619u;
	return h;
}
