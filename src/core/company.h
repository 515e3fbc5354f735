/*
 * company.h -- company-name identity: normalization, similarity and the
 * blocking keys that let an index find candidate matches.
 *
 * Pure C over UTF-8 (ICU for scripts other than ASCII), no PostgreSQL
 * headers, so the unit tests and the fuzzer link it alone.  Results are
 * returned in malloc'd memory the caller frees with free(); nothing is
 * kept between calls except the ICU transliterators, opened once, and the
 * per-character tables filled from them (company_fold_tables.c).
 */
#ifndef CHANNEL_COMPANY_H
#define CHANNEL_COMPANY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name accepted, in bytes: far above any real company name, low
 * enough that transliteration and matching stay in milliseconds. */
#define COMPANY_MAX_BYTES 65536

/*
 * Longest NFKC form accepted, in UTF-16 code units: a name's compatibility
 * characters are spelled out before transliteration, and a few spell out
 * to many (U+FDFA is 18 characters), so the work is bounded by this, not
 * by the input alone.  Text without such characters never reaches it
 * (its NFKC form has at most as many code units as it has UTF-8 bytes).
 */
#define COMPANY_MAX_FOLDED 65536

typedef enum company_status
{
	COMPANY_OK = 0,
	COMPANY_INVALID_UTF8,		/* input is not well-formed UTF-8 */
	COMPANY_TOO_LONG,			/* input longer than COMPANY_MAX_BYTES */
	COMPANY_NO_MEMORY,			/* malloc failed */
	COMPANY_ICU_ERROR,			/* ICU could not open or run the transliterator */
	COMPANY_TOO_LONG_FOLDED		/* NFKC form longer than COMPANY_MAX_FOLDED */
} company_status;

typedef enum company_match_kind
{
	COMPANY_MATCH_NONE = 0,
	COMPANY_MATCH_EXACT,		/* equal normalized names */
	COMPANY_MATCH_ACRONYM,		/* an acronym matched its expansion */
	COMPANY_MATCH_FUZZY			/* shared and near tokens */
} company_match_kind;

/*
 * The countries whose legal forms a name carries (legal_forms.txt's third
 * field): bit k for the k-th country code met in the list; empty when the
 * name has no form or only forms of any country ("Corporation", "Ltd").
 */
#define COMPANY_MAX_JURISDICTIONS 128
typedef struct company_jurisdictions
{
	uint64_t	bits[COMPANY_MAX_JURISDICTIONS / 64];
} company_jurisdictions;

/*
 * Whether two names' forms are of different jurisdictions: both carry forms
 * with countries, and no country is common to the two sets ("KGaA" of
 * Germany and Austria against "Inc" of the United States, ...).
 */
bool		company_jurisdictions_conflict(const company_jurisdictions *a,
										   const company_jurisdictions *b);

/*
 * The ISO 3166 codes of the countries in j, sorted (static strings); writes
 * at most max and returns how many.  What the registration trigger stores
 * of a name (channel.deal.customer_jurisdictions), so that a stored name's
 * forms can be weighed against a new one's without normalizing it again.
 */
int			company_jurisdiction_codes(const company_jurisdictions *j, const char **codes, int max);

/*
 * company_jurisdictions_conflict over two such lists: both non-empty and
 * no code in common.
 */
bool		company_jurisdiction_codes_conflict(const char *const *a, int na,
												const char *const *b, int nb);

/*
 * What a pair's score is multiplied by when their legal forms conflict:
 * an equal name then scores 0.8, below the default threshold of 0.85.
 */
#define COMPANY_JURISDICTION_PENALTY 0.8f

/* Human-readable text for a status (static string). */
const char *company_status_text(company_status status);

/* ICU's own error name for the last COMPANY_ICU_ERROR (static string). */
const char *company_icu_error_name(void);

/*
 * The normalized form of a company name: lower-case ASCII tokens [a-z0-9]+
 * separated by single spaces; empty when the name has no letter or digit.
 */
company_status company_normalize(const char *name, size_t len, char **out);

/* The same, and the countries of the legal forms it dropped (jurisdictions may be NULL). */
company_status company_normalize_jurisdictions(const char *name, size_t len, char **out,
											   company_jurisdictions *jurisdictions);

/*
 * Similarity in [0, 1] of two NORMALIZED names (outputs of
 * company_normalize); symmetric; 1 for equal names.  kind may be NULL.
 */
float		company_similarity_normalized(const char *a, const char *b,
										  company_match_kind *kind);

/*
 * The same measure from one name to many: company_name_prepare splits and
 * weighs the name once (NULL when out of memory); the name's string must
 * outlive the prepared name.  company_similarity_prepared(p, b) equals
 * company_similarity_normalized(a, b) for p prepared from a.
 */
typedef struct company_name company_name;

company_name *company_name_prepare(const char *normalized);
float		company_similarity_prepared(const company_name *a, const char *b,
										company_match_kind *kind);
void		company_name_free(company_name *name);
/* The same measure between two prepared names: company_similarity_normalized(a, b). */
float		company_similarity_names(const company_name *a, const company_name *b,
									 company_match_kind *kind);

/*
 * Similarity of two raw names: normalizes both first, and multiplies the
 * score by COMPANY_JURISDICTION_PENALTY when their legal forms are of
 * different jurisdictions (company_jurisdictions_conflict).
 */
company_status company_similarity(const char *a, size_t alen,
								  const char *b, size_t blen,
								  float *score, company_match_kind *kind);

/*
 * Blocking keys of a NORMALIZED name: two names whose similarity reaches
 * the matching threshold have keys that meet (company_keys_meet) -- the
 * name without spaces, distinctive words (which meet their one-typo
 * neighbours), prefixes and suffixes for two typos, acronyms -- so an
 * index over the keys finds the candidates, with the exceptions
 * doc/deals.md lists (two-letter acronyms, two typos in every distinctive
 * word).  Returns *nkeys NUL-terminated strings packed in one malloc'd
 * block (*keys points to an array of pointers into it, freed together
 * with one free(*keys)).
 */
company_status company_match_keys(const char *normalized, char ***keys, int *nkeys);

/*
 * Keys as they meet (company_keys.c): a key is an optional head
 * ("country|product line|"), a kind ("w:") and a body; word keys ("w:" a
 * word, "r:" a word reversed) meet a key of the same head and kind within
 * one typo, an acronym ("a:") its equal and the same initials ("i:"),
 * initials only an acronym, any other key only its equal.  Lengths in bytes; no NUL needed.
 * company_within_one_typo: one letter replaced, inserted or dropped, or two
 * neighbours swapped, at most (optimal string alignment distance <= 1).
 */
char		company_key_kind(const char *key, size_t len, size_t *body);
bool		company_within_one_typo(const char *a, size_t alen, const char *b, size_t blen);
bool		company_keys_meet(const char *a, size_t alen, const char *b, size_t blen);
/* The same, with each key's kind and body as company_key_kind gave them. */
bool		company_keys_meet_parsed(const char *a, size_t alen, char akind, size_t abody,
									 const char *b, size_t blen, char bkind, size_t bbody);

/*
 * How many leading bytes of key every key meeting it shares in one of the
 * word's two forms: an ordered index finds the keys meeting a word key in
 * the ranges starting with that prefix of the "w:" and of the "r:" key.
 * The whole length for keys of other kinds.
 */
size_t		company_key_probe_len(const char *key, size_t len);

/*
 * The advisory locks a registration takes before its conflict lookup
 * (company_lock_keys.c): lock keys derived from its blocking keys, such
 * that two sets of blocking keys of which one key meets one of the other
 * (company_keys_meet) give lock sets that conflict (company_locks_conflict:
 * an equal lock key, exclusive in at least one of them).  Keys' heads
 * ("country|line|") are left out: the caller scopes the locks.  *locks is
 * one malloc'd block (free(*locks)), sorted by key, each key once.
 */
typedef struct company_lock
{
	const char *key;			/* NUL-terminated, len bytes */
	size_t		len;
	bool		shared;			/* taken in share mode (initials) */
} company_lock;

company_status company_lock_keys(const char *const *keys, const size_t *lens, int nkeys,
								 company_lock **locks, int *nlocks);
bool		company_locks_conflict(const company_lock *a, int na, const company_lock *b, int nb);
/* 32-bit FNV-1a of scope, '|' and key: the advisory lock's key. */
uint32_t	company_lock_hash(const char *scope, size_t slen, const char *key, size_t klen);

#endif
