/*
 * fuzz_customer_match.c -- libFuzzer target for the in-memory bulk matcher
 * (src/core/customer_match.c).
 *
 * The input is split into lines; each line is a company name, normalized
 * and keyed (company_match_keys) under the head "XX|".  The first half of
 * the names is indexed, every name is then a query.  Invariants (abort()
 * on violation):
 *   - CMATCH_BEST returns exactly what comparing the query with every
 *     indexed name whose keys meet its own returns: the most similar one,
 *     the lowest on ties, with the same score; -1 when none meets;
 *   - CMATCH_FIRST returns the lowest item below the limit whose keys meet
 *     and whose similarity reaches the threshold;
 *   - with a fanout too, a found item's score is the one company_similarity
 *     gives, CMATCH_FIRST's reaches the threshold, and an indexed name
 *     (below the limit) is found by itself with score 1.
 * AddressSanitizer and LeakSanitizer catch memory errors and leaks.
 *
 *   make fuzz && ./test/fuzz/fuzz_customer_match.fuzz test/fuzz/corpus-match
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"
#include "customer_match.h"

#define MAX_NAMES 48

typedef struct named
{
	char	   *key;
	char	  **keys;
	size_t	   *lens;
	int			n;
} named;

static bool
make_named(const char *raw, size_t len, named *out)
{
	char	   *norm = NULL;
	char	  **k = NULL;
	int			n = 0;

	if (company_normalize(raw, len, &norm) != COMPANY_OK)
		return false;
	if (norm[0] == '\0' || company_match_keys(norm, &k, &n) != COMPANY_OK)
	{
		free(norm);
		return false;
	}
	out->key = norm;
	out->n = n;
	out->keys = malloc(sizeof(char *) * (size_t) (n > 0 ? n : 1));
	out->lens = malloc(sizeof(size_t) * (size_t) (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		size_t		l = strlen(k[i]) + 4;

		out->keys[i] = malloc(l);
		snprintf(out->keys[i], l, "XX|%s", k[i]);
		out->lens[i] = l - 1;
	}
	free(k);
	return true;
}

static void
free_named(named *x)
{
	for (int i = 0; i < x->n; i++)
		free(x->keys[i]);
	free(x->keys);
	free(x->lens);
	free(x->key);
}

static bool
meet(const named *a, const named *b)
{
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			if (company_keys_meet(a->keys[i], a->lens[i], b->keys[j], b->lens[j]))
				return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	named		names[MAX_NAMES];
	int			n = 0;
	size_t		start = 0;
	const float thr = 0.85f;

	if (size > 4096)
		return 0;
	for (size_t i = 0; i <= size && n < MAX_NAMES; i++)
		if (i == size || data[i] == '\n')
		{
			if (i > start && make_named((const char *) data + start, i - start, &names[n]))
				n++;
			start = i + 1;
		}
	for (int fanout = 0; fanout <= 2; fanout += 2)
	{
		cmatch_index *ix = cmatch_new();
		int			ni = (n + 1) / 2;

		if (ix == NULL)
			abort();
		cmatch_set_fanout(ix, fanout);
		for (int i = 0; i < ni; i++)
			if (cmatch_add(ix, names[i].key, (const char *const *) names[i].keys, names[i].lens, names[i].n) != i)
				abort();
		if (!cmatch_build(ix))
			abort();
		for (int k = 0; k < n; k++)
		{
			float		score,
						want_score = 0;
			int			want = -1,
						want_first = -1,
						limit = k % 2 ? -1 : k / 2,
						got;

			for (int j = 0; j < (limit < 0 ? ni : (limit < ni ? limit : ni)); j++)
			{
				float		s;

				if (!meet(&names[k], &names[j]))
					continue;
				s = company_similarity_normalized(names[j].key, names[k].key, NULL);
				if (want < 0 || s > want_score)
					want = j, want_score = s;
				if (want_first < 0 && s >= thr)
					want_first = j;
			}
			got = cmatch_find(ix, names[k].key, (const char *const *) names[k].keys, names[k].lens,
							  names[k].n, limit, CMATCH_BEST, thr, &score, NULL);
			if (got == -2)
				abort();
			if (got >= 0 && score != company_similarity_normalized(names[got].key, names[k].key, NULL))
				abort();
			if (fanout == 0 && (got != want || (got >= 0 && score != want_score)))
				abort();
			/* itself, when indexed and allowed: found with 1 whatever the fanout */
			if (k < ni && (limit < 0 || k < limit) && (got < 0 || score != 1.0f))
				abort();
			got = cmatch_find(ix, names[k].key, (const char *const *) names[k].keys, names[k].lens,
							  names[k].n, limit, CMATCH_FIRST, thr, &score, NULL);
			if (got == -2)
				abort();
			if (fanout == 0 && got != want_first)
				abort();
			if (got >= 0 && score < thr)
				abort();
		}
		cmatch_free(ix);
	}
	for (int i = 0; i < n; i++)
		free_named(&names[i]);
	return 0;
}
