/*
 * test_customer_match.c -- the in-memory bulk matcher (src/core/customer_match.c)
 * finds exactly what comparing every pair whose keys meet finds.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "company.h"
#include "customer_match.h"

typedef struct named
{
	char	   *key;
	char	  **keys;
	size_t	   *lens;
	int			n;
} named;

static bool
make_named(const char *head, const char *raw, named *out)
{
	char	   *norm = NULL;
	char	  **k = NULL;
	int			n = 0;

	if (company_normalize(raw, strlen(raw), &norm) != COMPANY_OK || norm[0] == '\0')
	{
		free(norm);
		return false;
	}
	if (company_match_keys(norm, &k, &n) != COMPANY_OK)
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
		size_t		len = strlen(head) + strlen(k[i]) + 1;

		out->keys[i] = malloc(len);
		snprintf(out->keys[i], len, "%s%s", head, k[i]);
		out->lens[i] = len - 1;
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

static const char *const stems[] = {
	"Apex", "Summit", "Bluewater", "Redwood", "Ironbridge", "Northgate", "Keystone", "Pinnacle",
	"Müller", "Schäfer", "Lumière", "Château", "Siemens", "Acme"
};
static const char *const trades[] = {
	"Logistics", "Energy", "Bank", "Group", "Trade", "Holdings", "Systems", "Foods", ""
};

/* a spelling of "stem trade stem2" with a typo or not, deterministic in i */
static void
spelling(unsigned i, char *buf, size_t size)
{
	const char *a = stems[i % 14];
	const char *t = trades[(i / 14) % 9];
	const char *b = stems[(i / 126) % 14];
	char		first[64];

	snprintf(first, sizeof first, "%s", a);
	if (i % 5 == 3 && strlen(first) > 5)
	{
		char		c = first[2];		/* two neighbours swapped */

		first[2] = first[3];
		first[3] = c;
	}
	else if (i % 5 == 4 && strlen(first) > 5)
		first[strlen(first) - 1] = '\0';	/* the last letter dropped */
	snprintf(buf, size, "%s %s %s%s", first, t, b, i % 7 == 0 ? " GmbH" : i % 7 == 1 ? " Ltd" : "");
}

static void
check_against_pairs(int fanout)
{
	enum { NI = 400, NQ = 300 };
	named		items[NI];
	named		q[NQ];
	int			ni = 0,
				nq = 0;
	cmatch_index *ix = cmatch_new();
	char		buf[256];
	int			found = 0,
				missed = 0;

	CHECK(ix != NULL);
	cmatch_set_fanout(ix, fanout);
	for (unsigned i = 0; i < NI; i++)
	{
		spelling(i * 7 + 1, buf, sizeof buf);
		if (!make_named("FR|", buf, &items[ni]))
			continue;
		CHECK(cmatch_add(ix, items[ni].key, (const char *const *) items[ni].keys, items[ni].lens, items[ni].n) == ni);
		ni++;
	}
	CHECK(cmatch_build(ix));
	CHECK(cmatch_count(ix) == ni);
	for (unsigned i = 0; i < NQ; i++)
	{
		spelling(i * 11 + 3, buf, sizeof buf);
		if (make_named("FR|", buf, &q[nq]))
			nq++;
	}
	for (int k = 0; k < nq; k++)
	{
		float		score,
					want_score = 0;
		int			want = -1,
					want_first = -1,
					got,
					compared;
		int			limit = k % 3 == 0 ? -1 : ni / 2;

		for (int j = 0; j < (limit < 0 ? ni : limit); j++)
		{
			float		s;

			if (!meet(&q[k], &items[j]))
				continue;
			s = company_similarity_normalized(items[j].key, q[k].key, NULL);
			if (want < 0 || s > want_score)
				want = j, want_score = s;
			if (want_first < 0 && s >= 0.85f)
				want_first = j;
		}
		got = cmatch_find(ix, q[k].key, (const char *const *) q[k].keys, q[k].lens, q[k].n,
						  limit, CMATCH_BEST, 0.85f, &score, &compared);
		if (fanout == 0)
		{
			/* exactly the pairs whose keys meet */
			CHECK(got == want);
			if (got >= 0)
				CHECK(score == want_score);
		}
		else if (want >= 0 && want_score >= 0.85f)
		{
			/* rarity only leaves out candidates that could not reach the threshold */
			CHECK(got >= 0 && score >= 0.85f);
			if (got >= 0 && score >= want_score)
				found++;
			else
				missed++;
		}
		got = cmatch_find(ix, q[k].key, (const char *const *) q[k].keys, q[k].lens, q[k].n,
						  limit, CMATCH_FIRST, 0.85f, &score, NULL);
		if (fanout == 0)
		{
			CHECK(got == want_first);
			if (got >= 0)
				CHECK(score >= 0.85f);
		}
	}
	if (fanout > 0)
		CHECK(missed == 0 && found > 0);
	for (int j = 0; j < ni; j++)
		free_named(&items[j]);
	for (int k = 0; k < nq; k++)
		free_named(&q[k]);
	cmatch_free(ix);
}

UNIT_TEST(customer_match_equals_pairwise)
{
	check_against_pairs(0);
}

UNIT_TEST(customer_match_fanout_keeps_matches)
{
	check_against_pairs(8);
}

UNIT_TEST(customer_match_edges)
{
	cmatch_index *ix = cmatch_new();
	named		a,
				b;
	float		score = -1;
	int			compared = -1;

	CHECK(ix != NULL);
	CHECK(cmatch_build(ix));
	CHECK(make_named("DE|", "Müller Logistik GmbH", &a));
	CHECK(make_named("AT|", "Müller Logistik GmbH", &b));
	/* an empty index matches nothing */
	CHECK(cmatch_find(ix, a.key, (const char *const *) a.keys, a.lens, a.n, -1, CMATCH_BEST, 0.85f, &score,
					  &compared) == -1);
	CHECK(score == 0 && compared == 0);
	CHECK(cmatch_add(ix, a.key, (const char *const *) a.keys, a.lens, a.n) == 0);
	/* found itself (score 1), not the same name of another country (other head) */
	CHECK(cmatch_find(ix, a.key, (const char *const *) a.keys, a.lens, a.n, -1, CMATCH_BEST, 0.85f, &score,
					  &compared) == 0);
	CHECK(score == 1.0f && compared == 1);
	CHECK(cmatch_find(ix, b.key, (const char *const *) b.keys, b.lens, b.n, -1, CMATCH_BEST, 0.85f, &score,
					  NULL) == -1);
	/* limit 0: no item may be taken */
	CHECK(cmatch_find(ix, a.key, (const char *const *) a.keys, a.lens, a.n, 0, CMATCH_FIRST, 0.85f, &score,
					  NULL) == -1);
	/* no keys: nothing meets */
	CHECK(cmatch_find(ix, a.key, NULL, NULL, 0, -1, CMATCH_BEST, 0.85f, &score, NULL) == -1);
	CHECK(cmatch_similarity(ix, 0, 0) == 1.0f);
	free_named(&a);
	free_named(&b);
	cmatch_free(ix);
}
