/*
 * company_side.h -- a normalized name split and weighed for comparison,
 * shared by similarity (company_similarity.c) and the blocking keys
 * (company_match_keys.c), which must see the same tokens.
 */
#ifndef CHANNEL_COMPANY_SIDE_H
#define CHANNEL_COMPANY_SIDE_H

#include <stdbool.h>

#include "company_tokens.h"

/* Long names are compared on their first COMPANY_MAX_TOKENS tokens. */
#define COMPANY_MAX_TOKENS 64

/*
 * Token weights: a coined word 1.0, an English word COMPANY_WORD_WEIGHT; a
 * token weighing at least that is distinctive (it is keyed).
 */
#define COMPANY_WORD_WEIGHT 0.7
#define COMPANY_DISTINCTIVE(w) ((w) >= COMPANY_WORD_WEIGHT - 1e-9)
/* a word of a trade ("bank", "energy") and of a kind of holding ("group") */
#define COMPANY_COMMON_WEIGHT 0.4
#define COMPANY_GENERIC_WEIGHT 0.2

typedef struct company_side
{
	company_tokens t;			/* the tokens as written in the normalized name */
	int			n;				/* tokens considered */
	double		weight[COMPANY_MAX_TOKENS];
	int			len[COMPANY_MAX_TOKENS];	/* of the token as written */
	bool		digit[COMPANY_MAX_TOKENS];
	bool		connective[COMPANY_MAX_TOKENS];
	/* what each token counts as when left unpaired (company_similarity.c) */
	unsigned char unpaired[COMPANY_MAX_TOKENS];
	double		total;
	/* each token as compared: its word form (company_words.txt), spelling-folded */
	char	   *fold;
	int			foff[COMPANY_MAX_TOKENS];
	int			flen[COMPANY_MAX_TOKENS];
} company_side;

/* false on ENOMEM (nothing to free then) */
bool		company_side_init(company_side *s, const char *normalized);
void		company_side_free(company_side *s);

/*
 * The acronym pass of company_similarity (company_acronym.c): a's unused
 * short tokens against runs of b's unused tokens; marks what it pairs and
 * returns the matched weight, *found when any acronym matched.
 */
double		company_acronym_pass(const company_side *a, const company_side *b, bool *used_a, bool *used_b,
								 bool *found);

static inline const char *
company_side_folded(const company_side *s, int i)
{
	return s->fold + s->foff[i];
}

#endif
