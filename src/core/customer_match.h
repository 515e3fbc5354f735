/*
 * customer_match.h -- matching many spellings against many end customers
 * at once, in memory (the bulk side of channel.ingest_sell_through()).
 *
 * An index holds names (NORMALIZED, company_normalize) with their blocking
 * keys (company_match_keys, each with the same optional head, "FR|").  A
 * query name finds the indexed names whose keys meet its own
 * (company_keys_meet, exactly what the GIN operator class answers) and
 * scores them with company_similarity; only those are compared, never the
 * whole set.  Keys are kept sorted bytewise, so a word key finds its
 * one-typo neighbours in two short ranges, as in the GIN index.
 *
 * Rarity: a key shared by many indexed names ("w:trade", "w:group") tells
 * little; a query whose other keys are rarer does not take candidates
 * from it (cmatch_set_fanout): a name at the threshold shares its rarest
 * distinctive words with the query, so its candidates come from those.
 *
 * Pure C, malloc'd memory, no PostgreSQL headers (unit-tested, fuzzed).
 */
#ifndef CHANNEL_CUSTOMER_MATCH_H
#define CHANNEL_CUSTOMER_MATCH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cmatch_index cmatch_index;

/* An empty index; NULL when out of memory. */
cmatch_index *cmatch_new(void);
void		cmatch_free(cmatch_index *ix);

/*
 * Adds a name and its keys (copied); items are numbered 0, 1, ... in the
 * order added.  Returns the item, -1 when out of memory.  Call
 * cmatch_build() after the last add and before the first query.
 */
int			cmatch_add(cmatch_index *ix, const char *normalized,
					   const char *const *keys, const size_t *key_lens, int nkeys);
bool		cmatch_build(cmatch_index *ix);
int			cmatch_count(const cmatch_index *ix);

/*
 * A key of an indexed name met by more than fanout items is not used to
 * find candidates when the query has a key met by fewer (0: no limit, the
 * default).  Candidates from the query's rarest word and from every key
 * that is not a word key are always taken.
 */
void		cmatch_set_fanout(cmatch_index *ix, int fanout);

typedef enum cmatch_mode
{
	CMATCH_BEST,				/* the most similar item (ties: the lowest item) */
	CMATCH_FIRST				/* the lowest item at or above the threshold */
} cmatch_mode;

/*
 * The item of [0, limit) (limit < 0: every item) whose keys meet the query's
 * and that mode picks, with its similarity in *score; -1 when none
 * (CMATCH_BEST: none meets; CMATCH_FIRST: none reaches threshold).
 * *compared (may be NULL) is how many items were scored.  -2 when out of
 * memory.
 */
int			cmatch_find(cmatch_index *ix, const char *normalized,
						const char *const *keys, const size_t *key_lens, int nkeys,
						int limit, cmatch_mode mode, float threshold,
						float *score, int *compared);

/*
 * Every item whose keys meet the query's and whose similarity reaches
 * threshold, in item order: *items and *scores (malloc'd, the caller frees
 * both) hold the count returned; -2 when out of memory.
 */
int			cmatch_find_all(cmatch_index *ix, const char *normalized,
							const char *const *keys, const size_t *key_lens, int nkeys,
							float threshold, int **items, float **scores);

/* The similarity of two indexed items (company_similarity_normalized). */
float		cmatch_similarity(cmatch_index *ix, int a, int b);

#endif
