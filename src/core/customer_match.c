/*
 * customer_match.c -- many spellings against many end customers, in memory
 * (see customer_match.h).
 *
 * The index is one array of (key, item) entries sorted bytewise, as the
 * GIN index of end_customer.match_keys orders its entries: a key meets
 *   - a word key ("w:" a word, "r:" the word reversed): the keys of the same
 *     head and kind within one typo, all in the range starting with the
 *     key's probe prefix (company_key_probe_len);
 *   - an acronym ("a:"): its equal and the same letters as initials ("i:");
 *     initials: the acronym of the same letters;
 *   - any other key: its equal;
 * which is company_keys_meet, so the candidates are exactly those the GIN
 * lookup of end_customers_meeting() returned -- unless a fanout is set, when
 * a word shared by more items than that is not probed when a rarer word of
 * the query is (its two forms are probed together, so that a typo in
 * either half of the rarer word is still found).
 */
#include "customer_match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "company.h"

typedef struct cmatch_entry
{
	const char *key;
	uint32_t	len;
	int			item;
} cmatch_entry;

typedef struct cmatch_item
{
	char	   *text;			/* the normalized name */
	company_name *prepared;		/* made at its first comparison */
} cmatch_item;

/* strings live in chunks that are never moved */
typedef struct cmatch_chunk
{
	struct cmatch_chunk *next;
	size_t		used;
	size_t		size;
	char		data[];
} cmatch_chunk;

struct cmatch_index
{
	cmatch_item *items;
	int			nitems;
	int			items_cap;
	cmatch_entry *entries;
	size_t		nentries;
	size_t		entries_cap;
	cmatch_chunk *chunks;
	int			fanout;
	bool		built;
	/* per query: which items are candidates already (stamp == epoch) */
	unsigned   *stamp;
	unsigned	epoch;
	int		   *cand;
};

#define CHUNK_SIZE 65536

static char *
arena_copy(cmatch_index *ix, const char *s, size_t len)
{
	cmatch_chunk *c = ix->chunks;
	char	   *out;

	if (c == NULL || c->size - c->used < len + 1)
	{
		size_t		size = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;

		c = malloc(sizeof(cmatch_chunk) + size);
		if (c == NULL)
			return NULL;
		c->next = ix->chunks;
		c->used = 0;
		c->size = size;
		ix->chunks = c;
	}
	out = c->data + c->used;
	memcpy(out, s, len);
	out[len] = '\0';
	c->used += len + 1;
	return out;
}

cmatch_index *
cmatch_new(void)
{
	return calloc(1, sizeof(cmatch_index));
}

void
cmatch_free(cmatch_index *ix)
{
	if (ix == NULL)
		return;
	for (int i = 0; i < ix->nitems; i++)
		company_name_free(ix->items[i].prepared);
	while (ix->chunks)
	{
		cmatch_chunk *next = ix->chunks->next;

		free(ix->chunks);
		ix->chunks = next;
	}
	free(ix->items);
	free(ix->entries);
	free(ix->stamp);
	free(ix->cand);
	free(ix);
}

int
cmatch_count(const cmatch_index *ix)
{
	return ix->nitems;
}

void
cmatch_set_fanout(cmatch_index *ix, int fanout)
{
	ix->fanout = fanout > 0 ? fanout : 0;
}

int
cmatch_add(cmatch_index *ix, const char *normalized,
		   const char *const *keys, const size_t *key_lens, int nkeys)
{
	cmatch_item *item;

	if (ix->nitems == ix->items_cap)
	{
		int			cap = ix->items_cap ? 2 * ix->items_cap : 256;
		cmatch_item *grown = realloc(ix->items, sizeof(cmatch_item) * (size_t) cap);

		if (grown == NULL)
			return -1;
		ix->items = grown;
		ix->items_cap = cap;
	}
	if (ix->nentries + (size_t) nkeys > ix->entries_cap)
	{
		size_t		cap = ix->entries_cap ? 2 * ix->entries_cap : 2048;
		cmatch_entry *grown;

		while (cap < ix->nentries + (size_t) nkeys)
			cap *= 2;
		grown = realloc(ix->entries, sizeof(cmatch_entry) * cap);
		if (grown == NULL)
			return -1;
		ix->entries = grown;
		ix->entries_cap = cap;
	}
	item = &ix->items[ix->nitems];
	item->text = arena_copy(ix, normalized, strlen(normalized));
	item->prepared = NULL;
	if (item->text == NULL)
		return -1;
	for (int k = 0; k < nkeys; k++)
	{
		const char *copy = arena_copy(ix, keys[k], key_lens[k]);

		if (copy == NULL)
			return -1;
		ix->entries[ix->nentries++] = (cmatch_entry) {copy, (uint32_t) key_lens[k], ix->nitems};
	}
	ix->built = false;
	return ix->nitems++;
}

static int
compare_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int			c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

static int
compare_entries(const void *x, const void *y)
{
	const cmatch_entry *a = x,
			   *b = y;
	int			c = compare_bytes(a->key, a->len, b->key, b->len);

	return c != 0 ? c : (a->item > b->item) - (a->item < b->item);
}

bool
cmatch_build(cmatch_index *ix)
{
	free(ix->stamp);
	free(ix->cand);
	ix->stamp = calloc((size_t) (ix->nitems > 0 ? ix->nitems : 1), sizeof(unsigned));
	ix->cand = malloc(sizeof(int) * (size_t) (ix->nitems > 0 ? ix->nitems : 1));
	ix->epoch = 0;
	if (ix->stamp == NULL || ix->cand == NULL)
		return false;
	if (ix->nentries > 1)
		qsort(ix->entries, ix->nentries, sizeof(cmatch_entry), compare_entries);
	ix->built = true;
	return true;
}

/* first entry not below key[0..len) */
static size_t
lower_bound(const cmatch_index *ix, const char *key, size_t len)
{
	size_t		lo = 0,
				hi = ix->nentries;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (compare_bytes(ix->entries[mid].key, ix->entries[mid].len, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* where the entries equal to key, or starting with it (prefix), end */
static size_t
range_end(const cmatch_index *ix, size_t from, const char *key, size_t len, bool prefix)
{
	size_t		i = from;

	while (i < ix->nentries &&
		   (prefix ? ix->entries[i].len >= len && memcmp(ix->entries[i].key, key, len) == 0
			: ix->entries[i].len == len && memcmp(ix->entries[i].key, key, len) == 0))
		i++;
	return i;
}

typedef struct probe
{
	const char *key;
	size_t		len;
	size_t		body;
	char		kind;
	size_t		from[2];		/* the one or two ranges of entries it looks at */
	size_t		to[2];
	size_t		cost;			/* entries in them */
	int			twin;			/* a word key: the other form, -1 if absent */
	bool		take;
} probe;

/* whether word keys a and b are the two forms of one word */
static bool
twins(const probe *a, const probe *b)
{
	if (a->len != b->len || a->body != b->body || a->kind == b->kind ||
		memcmp(a->key, b->key, a->body - 2) != 0)
		return false;
	for (size_t c = 0; c < a->len - a->body; c++)
		if (a->key[a->body + c] != b->key[b->len - 1 - c])
			return false;
	return true;
}

static void
consider(cmatch_index *ix, int item, int limit, int *ncand)
{
	if ((limit >= 0 && item >= limit) || ix->stamp[item] == ix->epoch)
		return;
	ix->stamp[item] = ix->epoch;
	ix->cand[(*ncand)++] = item;
}

static int
compare_ints(const void *x, const void *y)
{
	int			a = *(const int *) x,
				b = *(const int *) y;

	return (a > b) - (a < b);
}

static company_name *
prepared_item(cmatch_index *ix, int item)
{
	cmatch_item *it = &ix->items[item];

	if (it->prepared == NULL)
		it->prepared = company_name_prepare(it->text);
	return it->prepared;
}

/*
 * The items of [0, limit) with an entry meeting a key of the query, in
 * ix->cand (item order); returns how many, -2 when out of memory.
 */
static int
gather(cmatch_index *ix, const char *const *keys, const size_t *key_lens, int nkeys, int limit)
{
	probe	   *probes;
	int			ncand = 0;
	char		swapped[4096];
	size_t		cheapest_word = SIZE_MAX;

	if (!ix->built && !cmatch_build(ix))
		return -2;
	if (nkeys <= 0 || ix->nitems == 0)
		return 0;
	probes = malloc(sizeof(probe) * (size_t) nkeys);
	if (probes == NULL)
		return -2;
	if (++ix->epoch == 0)
	{
		memset(ix->stamp, 0, sizeof(unsigned) * (size_t) ix->nitems);
		ix->epoch = 1;
	}

	/* the ranges of entries each key looks at, and how many entries they hold */
	for (int k = 0; k < nkeys; k++)
	{
		probe	   *p = &probes[k];

		p->key = keys[k];
		p->len = key_lens[k];
		p->kind = company_key_kind(p->key, p->len, &p->body);
		p->twin = -1;
		p->take = true;
		p->from[1] = p->to[1] = 0;
		if (p->kind == 'w' || p->kind == 'r')
		{
			size_t		plen = company_key_probe_len(p->key, p->len);

			p->from[0] = lower_bound(ix, p->key, plen);
			p->to[0] = range_end(ix, p->from[0], p->key, plen, true);
		}
		else if ((p->kind == 'a' || p->kind == 'i') && p->len <= sizeof(swapped))
		{
			/* the other kind: initials for an acronym, the acronym for initials */
			memcpy(swapped, p->key, p->len);
			swapped[p->body - 2] = p->kind == 'a' ? 'i' : 'a';
			p->from[0] = lower_bound(ix, swapped, p->len);
			p->to[0] = range_end(ix, p->from[0], swapped, p->len, false);
			if (p->kind == 'a')
			{
				p->from[1] = lower_bound(ix, p->key, p->len);
				p->to[1] = range_end(ix, p->from[1], p->key, p->len, false);
			}
		}
		else
		{
			p->from[0] = lower_bound(ix, p->key, p->len);
			p->to[0] = range_end(ix, p->from[0], p->key, p->len, false);
		}
		p->cost = (p->to[0] - p->from[0]) + (p->to[1] - p->from[1]);
	}

	/* rarity: a word is probed in both forms, costing both ranges */
	if (ix->fanout > 0)
	{
		for (int k = 0; k < nkeys; k++)
		{
			probe	   *p = &probes[k];

			if (p->kind != 'w' && p->kind != 'r')
				continue;
			for (int j = 0; j < nkeys && p->twin < 0; j++)
				if (j != k && (probes[j].kind == 'w' || probes[j].kind == 'r') && twins(p, &probes[j]))
					p->twin = j;
			{
				size_t		cost = p->cost + (p->twin >= 0 ? probes[p->twin].cost : 0);

				if (cost < cheapest_word)
					cheapest_word = cost;
			}
		}
		for (int k = 0; k < nkeys; k++)
		{
			probe	   *p = &probes[k];
			size_t		cost;

			if (p->kind != 'w' && p->kind != 'r')
				continue;
			cost = p->cost + (p->twin >= 0 ? probes[p->twin].cost : 0);
			p->take = cost <= cheapest_word || cost <= (size_t) ix->fanout;
		}
	}

	/* the candidates: items with an entry meeting a probed key */
	for (int k = 0; k < nkeys; k++)
	{
		probe	   *p = &probes[k];

		if (!p->take)
			continue;
		for (int r = 0; r < 2; r++)
			for (size_t e = p->from[r]; e < p->to[r]; e++)
			{
				const cmatch_entry *en = &ix->entries[e];

				if (p->kind == 'w' || p->kind == 'r')
				{
					size_t		plen = company_key_probe_len(p->key, p->len);

					/* as the GIN index's compare_partial: same head and kind, one typo */
					if (en->len > p->len + 1 || en->len + 1 < p->len ||
						memchr(en->key + plen, '|', en->len - plen) != NULL ||
						!company_within_one_typo(p->key + p->body, p->len - p->body,
												 en->key + p->body, en->len - p->body))
						continue;
				}
				consider(ix, en->item, limit, &ncand);
			}
	}
	free(probes);
	qsort(ix->cand, (size_t) ncand, sizeof(int), compare_ints);
	return ncand;
}

int
cmatch_find(cmatch_index *ix, const char *normalized,
			const char *const *keys, const size_t *key_lens, int nkeys,
			int limit, cmatch_mode mode, float threshold,
			float *score, int *compared)
{
	int			ncand;
	int			best = -1;
	float		best_score = 0;
	company_name *q;

	*score = 0;
	if (compared)
		*compared = 0;
	ncand = gather(ix, keys, key_lens, nkeys, limit);
	if (ncand == -2)
		return -2;
	if (ncand == 0)
		return -1;
	q = company_name_prepare(normalized);
	if (q == NULL)
		return -2;
	/* in item order: ties go to the lowest item, CMATCH_FIRST stops at the first */
	for (int c = 0; c < ncand; c++)
	{
		company_name *other = prepared_item(ix, ix->cand[c]);
		float		s;

		if (other == NULL)
		{
			company_name_free(q);
			return -2;
		}
		s = company_similarity_names(other, q, NULL);
		if (compared)
			(*compared)++;
		if (mode == CMATCH_FIRST)
		{
			if (s >= threshold)
			{
				best = ix->cand[c];
				best_score = s;
				break;
			}
		}
		else if (best < 0 || s > best_score)
		{
			best = ix->cand[c];
			best_score = s;
		}
	}
	company_name_free(q);
	*score = best_score;
	return best;
}

int
cmatch_find_all(cmatch_index *ix, const char *normalized,
				const char *const *keys, const size_t *key_lens, int nkeys,
				float threshold, int **items, float **scores)
{
	int			ncand = gather(ix, keys, key_lens, nkeys, -1);
	int			n = 0;
	company_name *q;

	*items = NULL;
	*scores = NULL;
	if (ncand <= 0)
		return ncand;
	q = company_name_prepare(normalized);
	*items = malloc(sizeof(int) * (size_t) ncand);
	*scores = malloc(sizeof(float) * (size_t) ncand);
	if (q == NULL || *items == NULL || *scores == NULL)
		goto oom;
	for (int c = 0; c < ncand; c++)
	{
		company_name *other = prepared_item(ix, ix->cand[c]);
		float		s;

		if (other == NULL)
			goto oom;
		s = company_similarity_names(other, q, NULL);
		if (s >= threshold)
		{
			(*items)[n] = ix->cand[c];
			(*scores)[n++] = s;
		}
	}
	company_name_free(q);
	return n;
oom:
	company_name_free(q);
	free(*items);
	free(*scores);
	*items = NULL;
	*scores = NULL;
	return -2;
}

float
cmatch_similarity(cmatch_index *ix, int a, int b)
{
	company_name *pa = prepared_item(ix, a);
	company_name *pb = prepared_item(ix, b);

	if (pa == NULL || pb == NULL)
		return 0;
	return company_similarity_names(pa, pb, NULL);
}
