/*
 * company_keys_gin.c -- the operator text[] &&~ text[] (two sets of blocking
 * keys meet) and the GIN operator class channel.company_keys_ops that
 * answers it from deal_match_keys_idx.
 *
 * Keys are ordered bytewise.  A key of the query meets equal keys -- an
 * acronym also the same letters as initials, initials only an acronym, so
 * both are looked up under the other kind -- except a word key
 * (company_keys.c), which also meets its one-typo neighbours:
 * GIN is asked for a partial match from the key's first half (and, for the
 * reversed form of the word, from its last half), and compare_partial
 * accepts exactly the entries of that range that meet the key.  So the
 * index answers the operator exactly, without a recheck, in two short
 * range scans per word instead of one probe per one-deletion variant.
 *
 * That needs both forms of every word on both sides, which
 * company_match_keys always gives; for any other array (written by hand),
 * the missing form of each word key is added, to the entries an indexed
 * array is stored under and to the entries a query looks up, so that
 * every plan gives the same answer as company_keys_meet.
 */
#include "postgres.h"

#include "access/gin.h"
#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "company.h"

PG_FUNCTION_INFO_V1(channel_company_keys_meet);
PG_FUNCTION_INFO_V1(channel_company_key_cmp);
PG_FUNCTION_INFO_V1(channel_company_keys_extract_value);
PG_FUNCTION_INFO_V1(channel_company_keys_extract_query);
PG_FUNCTION_INFO_V1(channel_company_keys_consistent);
PG_FUNCTION_INFO_V1(channel_company_keys_triconsistent);
PG_FUNCTION_INFO_V1(channel_company_keys_compare_partial);

/* the one strategy of the operator class: &&~ */
#define KEYS_MEET_STRATEGY 1

/*
 * A word key of the query, as compare_partial needs it for every index key
 * of its range: where its body starts, worked out once.
 */
typedef struct word_probe
{
	const char *key;
	size_t		len;
	size_t		body;			/* bytes of head and kind */
} word_probe;

/* The non-null elements of a text[], detoasted; returns how many. */
static int
key_elements(ArrayType *keys, Datum **elems)
{
	bool	   *nulls;
	int			n;
	int			kept = 0;

	deconstruct_array(keys, TEXTOID, -1, false, TYPALIGN_INT, elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			(*elems)[kept++] = PointerGetDatum(PG_DETOAST_DATUM_PACKED((*elems)[i]));
	return kept;
}

/* A key with its kind and body worked out once, for comparing it with many. */
typedef struct parsed_key
{
	const char *bytes;
	size_t		len;
	size_t		body;
	char		kind;
} parsed_key;

static parsed_key *
parse_keys(Datum *elems, int n)
{
	parsed_key *keys = palloc(sizeof(parsed_key) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
	{
		text	   *t = (text *) DatumGetPointer(elems[i]);

		keys[i].bytes = VARDATA_ANY(t);
		keys[i].len = VARSIZE_ANY_EXHDR(t);
		keys[i].kind = company_key_kind(keys[i].bytes, keys[i].len, &keys[i].body);
	}
	return keys;
}

/*
 * channel.company_keys_meet(keys text[], other text[]) RETURNS boolean:
 * some key of one meets some key of the other.  Symmetric, like &&.
 */
Datum
channel_company_keys_meet(PG_FUNCTION_ARGS)
{
	Datum	   *a,
			   *b;
	int			na = key_elements(PG_GETARG_ARRAYTYPE_P(0), &a);
	int			nb = key_elements(PG_GETARG_ARRAYTYPE_P(1), &b);
	parsed_key *pa = parse_keys(a, na);
	parsed_key *pb = parse_keys(b, nb);

	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (company_keys_meet_parsed(pa[i].bytes, pa[i].len, pa[i].kind, pa[i].body,
										 pb[j].bytes, pb[j].len, pb[j].kind, pb[j].body))
				PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/* Bytewise order of two keys: what makes a key's neighbours one range. */
static int
compare_key_bytes(text *a, text *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	return c != 0 ? c : (la > lb) - (la < lb);
}

/* GIN support 1: channel.company_key_cmp(text, text) RETURNS int4 */
Datum
channel_company_key_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compare_key_bytes(PG_GETARG_TEXT_PP(0), PG_GETARG_TEXT_PP(1)));
}

/* Whether keys[i], a word key with its body at body, has its other form among keys. */
static bool
has_twin(Datum *keys, int n, int i, size_t body)
{
	text	   *key = (text *) DatumGetPointer(keys[i]);
	const char *k = VARDATA_ANY(key);
	size_t		len = VARSIZE_ANY_EXHDR(key);

	/* company_match_keys writes the two forms next to each other: look there first */
	for (int pass = 0; pass < 2; pass++)
		for (int j = pass == 0 ? (i > 0 ? i - 1 : 0) : 0;
			 j < (pass == 0 ? Min(i + 2, n) : n); j++)
		{
			text	   *other = (text *) DatumGetPointer(keys[j]);
			const char *o = VARDATA_ANY(other);
			bool		twin = true;

			if (j == i || VARSIZE_ANY_EXHDR(other) != len || o[body - 2] == k[body - 2] ||
				memcmp(o, k, body - 2) != 0 || o[body - 1] != ':' ||
				(o[body - 2] != 'w' && o[body - 2] != 'r'))
				continue;
			for (size_t c = 0; twin && c < len - body; c++)
				twin = o[body + c] == k[len - 1 - c];
			if (twin)
				return true;
		}
	return false;
}

/* The other form of a word key: the kind swapped ('w' / 'r'), the body reversed. */
static Datum
twin_of(Datum key_datum, size_t body)
{
	text	   *key = (text *) DatumGetPointer(key_datum);
	const char *k = VARDATA_ANY(key);
	size_t		len = VARSIZE_ANY_EXHDR(key);
	text	   *twin = cstring_to_text_with_len(k, (int) len);
	char	   *t = VARDATA(twin);

	t[body - 2] = k[body - 2] == 'w' ? 'r' : 'w';
	for (size_t c = 0; c < len - body; c++)
		t[body + c] = k[len - 1 - c];
	return PointerGetDatum(twin);
}

/*
 * The keys with the missing form of each word key added (see the head of
 * this file); *n is updated.  The array has room for twice the keys.
 */
static Datum *
with_twins(Datum *keys, int *n)
{
	int			nkeys = *n;
	Datum	   *all = NULL;
	int			m = nkeys;

	for (int i = 0; i < nkeys; i++)
	{
		text	   *key = (text *) DatumGetPointer(keys[i]);
		size_t		body;
		char		kind = company_key_kind(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &body);

		if ((kind != 'w' && kind != 'r') || has_twin(keys, nkeys, i, body))
			continue;
		if (all == NULL)
		{
			all = palloc(sizeof(Datum) * (2 * nkeys + 1));
			memcpy(all, keys, sizeof(Datum) * nkeys);
		}
		all[m++] = twin_of(keys[i], body);
	}
	*n = m;
	return all != NULL ? all : keys;
}

/*
 * GIN support 2: the keys of an indexed text[] are its elements, with
 * both forms of every word key.
 */
Datum
channel_company_keys_extract_value(PG_FUNCTION_ARGS)
{
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	bool	  **nullFlags = (bool **) PG_GETARG_POINTER(2);
	Datum	   *elems;
	int			n = key_elements(PG_GETARG_ARRAYTYPE_P(0), &elems);

	elems = with_twins(elems, &n);
	*nentries = n;
	*nullFlags = NULL;
	PG_RETURN_POINTER(elems);
}

/*
 * GIN support 3: the entries to look up for a query text[].  A word key
 * becomes a partial match from its probe prefix, carrying the key in
 * extra_data (a word_probe) for compare_partial; an acronym ("a:") looks up its equal and
 * the same letters as initials ("i:"), initials only the acronym; any other
 * key its equal.
 */
Datum
channel_company_keys_extract_query(PG_FUNCTION_ARGS)
{
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	StrategyNumber strategy = PG_GETARG_UINT16(2);
	bool	  **partialmatch = (bool **) PG_GETARG_POINTER(3);
	Pointer   **extra_data = (Pointer **) PG_GETARG_POINTER(4);
	bool	  **nullFlags = (bool **) PG_GETARG_POINTER(5);
	int32	   *searchMode = (int32 *) PG_GETARG_POINTER(6);
	Datum	   *keys;
	Datum	   *entries;
	int			nkeys;
	int			n = 0;

	if (strategy != KEYS_MEET_STRATEGY)
		elog(ERROR, "channel.company_keys_ops: unknown strategy %d", strategy);
	nkeys = key_elements(PG_GETARG_ARRAYTYPE_P(0), &keys);
	keys = with_twins(keys, &nkeys);
	/* at most two entries per key */
	entries = palloc(sizeof(Datum) * (2 * nkeys + 1));
	*partialmatch = palloc0(sizeof(bool) * (2 * nkeys + 1));
	*extra_data = palloc0(sizeof(Pointer) * (2 * nkeys + 1));
	for (int i = 0; i < nkeys; i++)
	{
		text	   *key = (text *) DatumGetPointer(keys[i]);
		char	   *bytes = VARDATA_ANY(key);
		size_t		len = VARSIZE_ANY_EXHDR(key);
		size_t		body;
		char		kind = company_key_kind(bytes, len, &body);

		if (kind == 'w' || kind == 'r')
		{
			word_probe *probe = palloc(sizeof(word_probe));

			probe->key = bytes;
			probe->len = len;
			probe->body = body;
			(*partialmatch)[n] = true;
			(*extra_data)[n] = (Pointer) probe;
			entries[n++] = PointerGetDatum(cstring_to_text_with_len(bytes, (int) company_key_probe_len(bytes, len)));
		}
		else if (kind == 'a' || kind == 'i')
		{
			text	   *other = cstring_to_text_with_len(bytes, (int) len);

			/* the kind letter sits just before the ':' that precedes the body */
			VARDATA(other)[body - 2] = kind == 'a' ? 'i' : 'a';
			entries[n++] = PointerGetDatum(other);
			if (kind == 'a')
				entries[n++] = PointerGetDatum(key);
		}
		else
			entries[n++] = PointerGetDatum(key);
	}
	*nentries = n;
	*nullFlags = NULL;
	/* no key meets no key: the default mode finds nothing for n = 0 */
	*searchMode = GIN_SEARCH_MODE_DEFAULT;
	PG_RETURN_POINTER(entries);
}

/*
 * GIN support 5: an index key in the range of a partial entry either meets
 * the query key behind it (0) or not (-1); past the range, stop (1).  In
 * the range the key already has the query key's head and kind (they are
 * in the prefix), so it meets when the rest is a plain body -- no '|' that
 * would make it a key of another head -- within one typo of the query's.
 */
Datum
channel_company_keys_compare_partial(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	text	   *key = PG_GETARG_TEXT_PP(1);
	word_probe *probe = (word_probe *) PG_GETARG_POINTER(3);
	const char *bytes = VARDATA_ANY(key);
	size_t		len = VARSIZE_ANY_EXHDR(key);
	size_t		plen = VARSIZE_ANY_EXHDR(prefix);

	if (len < plen || memcmp(bytes, VARDATA_ANY(prefix), plen) != 0)
		PG_RETURN_INT32(1);
	/* most of the range: words longer or shorter by more than a letter */
	if (len > probe->len + 1 || len + 1 < probe->len)
		PG_RETURN_INT32(-1);
	if (memchr(bytes + plen, '|', len - plen) != NULL)
		PG_RETURN_INT32(-1);
	PG_RETURN_INT32(company_within_one_typo(probe->key + probe->body, probe->len - probe->body,
											bytes + probe->body, len - probe->body) ? 0 : -1);
}

/*
 * GIN support 4: a row matches when any entry of the query was found in
 * it -- exactly, since compare_partial has already checked the typos.
 */
Datum
channel_company_keys_consistent(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);

	*recheck = false;
	for (int i = 0; i < nkeys; i++)
		if (check[i])
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/* GIN support 6: the same, over true / false / maybe. */
Datum
channel_company_keys_triconsistent(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	GinTernaryValue result = GIN_FALSE;

	for (int i = 0; i < nkeys; i++)
	{
		if (check[i] == GIN_TRUE)
			PG_RETURN_GIN_TERNARY_VALUE(GIN_TRUE);
		if (check[i] == GIN_MAYBE)
			result = GIN_MAYBE;
	}
	PG_RETURN_GIN_TERNARY_VALUE(result);
}
