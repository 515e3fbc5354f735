/*
 * end_customer_match.c -- channel.match_end_customers(): the new spellings of
 * a sell-through batch matched to the end-customer master in one call
 * (src/core/customer_match.c does the matching).
 *
 * For each country of the spellings, that country's end customers (key and
 * blocking keys) are read once, with one kept plan, into an in-memory
 * index; every spelling of the country is matched against it (the most
 * similar customer whose keys meet its own, at or above the threshold).
 * The spellings left are clustered among themselves: each joins the first
 * earlier spelling it matches, and that one's representative -- the
 * spellings of one new customer become one customer, named by the first.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "channel_spi.h"
#include "company.h"
#include "company_sql.h"
#include "customer_match.h"

PG_FUNCTION_INFO_V1(channel_match_end_customers);
PG_FUNCTION_INFO_V1(channel_match_live_deals);

/* a spelling of the call */
typedef struct spelling
{
	int64		ord;
	char	   *country;
	char	   *key;			/* normalized */
	char	  **keys;			/* "CC|" + its blocking keys, palloc'd */
	size_t	   *lens;
	int			nkeys;
	int64		end_customer_id;	/* 0: none */
	float		score;
	int64		rep;			/* ord of its representative, unmatched ones */
} spelling;

/* the indexes of the call, freed at its end or when it fails */
typedef struct match_state
{
	cmatch_index *customers;
	cmatch_index *unmatched;
	MemoryContextCallback cb;
} match_state;

static void
free_indexes(void *arg)
{
	match_state *st = arg;

	cmatch_free(st->customers);
	cmatch_free(st->unmatched);
	st->customers = st->unmatched = NULL;
}

/*
 * The state of a call, with SPI connected: its indexes are freed with the
 * call's memory, so an error anywhere in the call frees them too.
 */
static match_state *
match_begin(void)
{
	match_state *st = palloc0(sizeof(match_state));

	st->cb.func = free_indexes;
	st->cb.arg = st;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &st->cb);
	channel_spi_connect();
	return st;
}

/* the similarity threshold both functions take, in (0, 1] */
static float4
checked_threshold(float4 thr)
{
	if (!(thr > 0 && thr <= 1))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("threshold %g is not in (0, 1]", thr),
						errhint("Pass channel.match_threshold, 0.85 by default.")));
	return thr;
}

static void
no_memory(void)
{
	ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory matching end customers")));
}

static int
by_country_ord(const void *x, const void *y)
{
	const spelling *a = *(spelling *const *) x,
			   *b = *(spelling *const *) y;
	int			c = strcmp(a->country, b->country);

	return c != 0 ? c : (a->ord > b->ord) - (a->ord < b->ord);
}

static void
spelling_keys(spelling *s, const char *head)
{
	char	  **keys = NULL;
	int			n = 0;
	size_t		hlen = strlen(head);

	channel_company_check(company_match_keys(s->key, &keys, &n), "the customer name");
	s->keys = palloc(sizeof(char *) * (n > 0 ? n : 1));
	s->lens = palloc(sizeof(size_t) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		s->keys[i] = psprintf("%s%s", head, keys[i]);
		s->lens[i] = hlen + strlen(keys[i]);
	}
	s->nkeys = n;
	free(keys);
}

static SPIPlanPtr customers_plan = NULL;
static SPIPlanPtr deals_plan = NULL;

/*
 * The rows (id, normalized name, blocking keys) plan returns for a country
 * into st->customers, in that order; their ids into *ids.
 */
static void
load_index(match_state *st, SPIPlanPtr plan, const char *what, const char *country, int fanout, int64 **ids)
{
	Datum		values[1];
	uint64		n;

	values[0] = CStringGetTextDatum(country);
	n = channel_spi_run_plan(what, SPI_OK_SELECT, plan, values, NULL, true, 0);
	st->customers = cmatch_new();
	if (st->customers == NULL)
		no_memory();
	cmatch_set_fanout(st->customers, fanout);
	*ids = palloc(sizeof(int64) * (n > 0 ? n : 1));
	for (uint64 r = 0; r < n; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		id = SPI_getbinval(tup, desc, 1, &isnull);
		Datum		key = SPI_getbinval(tup, desc, 2, &isnull);
		Datum		keys = SPI_getbinval(tup, desc, 3, &isnull);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		const char **kp;
		size_t	   *kl;
		int			m = 0;

		deconstruct_array(DatumGetArrayTypeP(keys), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
		kp = palloc(sizeof(char *) * (nelems > 0 ? nelems : 1));
		kl = palloc(sizeof(size_t) * (nelems > 0 ? nelems : 1));
		for (int i = 0; i < nelems; i++)
			if (!nulls[i])
			{
				text	   *t = DatumGetTextPP(elems[i]);

				kp[m] = VARDATA_ANY(t);
				kl[m++] = VARSIZE_ANY_EXHDR(t);
			}
		(*ids)[r] = DatumGetInt64(id);
		if (cmatch_add(st->customers, TextDatumGetCString(key), kp, kl, m) < 0)
			no_memory();
		pfree(kp);
		pfree(kl);
	}
	SPI_freetuptable(SPI_tuptable);
	if (!cmatch_build(st->customers))
		no_memory();
}

/*
 * channel.match_end_customers(ords bigint[], countries text[], keys text[],
 *     threshold real, fanout integer)
 * RETURNS TABLE (ord bigint, end_customer_id bigint, score real, rep bigint)
 */
Datum
channel_match_end_customers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ords,
			   *countries,
			   *keys;
	bool	   *ord_nulls,
			   *country_nulls,
			   *key_nulls;
	int			n,
				nc,
				nk;
	float4		thr;
	int32		fanout;
	spelling   *sp;
	spelling  **order;
	match_state *st;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("ords, countries, keys and threshold must not be NULL"),
						errhint("Pass three arrays of the same length and a threshold.")));
	thr = checked_threshold(PG_GETARG_FLOAT4(3));
	fanout = PG_ARGISNULL(4) ? 0 : PG_GETARG_INT32(4);
	if (fanout < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("fanout %d is negative", fanout),
						errhint("Pass 0 for no limit.")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ords, &ord_nulls, &n);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &countries, &country_nulls, &nc);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false, TYPALIGN_INT, &keys, &key_nulls, &nk);
	if (nc != n || nk != n)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("ords, countries and keys have different lengths (%d, %d, %d)", n, nc, nk),
						errhint("Pass one country and one normalized name per ord.")));

	InitMaterializedSRF(fcinfo, 0);
	sp = palloc0(sizeof(spelling) * (n > 0 ? n : 1));
	order = palloc(sizeof(spelling *) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		if (ord_nulls[i] || country_nulls[i] || key_nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("element %d of ords, countries or keys is NULL", i + 1),
							errhint("Pass a country and a normalized name for every spelling.")));
		sp[i].ord = DatumGetInt64(ords[i]);
		sp[i].country = TextDatumGetCString(countries[i]);
		sp[i].key = TextDatumGetCString(keys[i]);
		order[i] = &sp[i];
	}
	qsort(order, (size_t) n, sizeof(spelling *), by_country_ord);

	st = match_begin();
	{
		Oid			types[1] = {TEXTOID};

		channel_spi_plan(&customers_plan,
						 "SELECT e.end_customer_id, e.customer_key::text, e.match_keys FROM channel.end_customer e "
						 "WHERE e.country = $1 ORDER BY e.end_customer_id", 1, types);
	}
	for (int from = 0; from < n;)
	{
		int			to = from;
		int64	   *ids;
		int			nu = 0;
		spelling  **un;

		while (to < n && strcmp(order[to]->country, order[from]->country) == 0)
			to++;
		load_index(st, customers_plan, "reading the end customers of a country", order[from]->country, fanout, &ids);
		un = palloc(sizeof(spelling *) * (to - from));
		for (int i = from; i < to; i++)
		{
			spelling   *s = order[i];
			float		score;
			int			best;

			spelling_keys(s, psprintf("%s|", s->country));
			best = cmatch_find(st->customers, s->key, (const char *const *) s->keys, s->lens, s->nkeys,
							   -1, CMATCH_BEST, thr, &score, NULL);
			if (best == -2)
				no_memory();
			if (best >= 0 && score >= thr)
			{
				s->end_customer_id = ids[best];
				s->score = score;
			}
			else
				un[nu++] = s;
		}
		cmatch_free(st->customers);
		st->customers = NULL;

		/* the rest among themselves, in ord order */
		st->unmatched = cmatch_new();
		if (st->unmatched == NULL)
			no_memory();
		for (int j = 0; j < nu; j++)
			if (cmatch_add(st->unmatched, un[j]->key, (const char *const *) un[j]->keys, un[j]->lens,
						   un[j]->nkeys) < 0)
				no_memory();
		if (!cmatch_build(st->unmatched))
			no_memory();
		{
			int		   *root = palloc(sizeof(int) * (nu > 0 ? nu : 1));

			for (int j = 0; j < nu; j++)
			{
				float		score;
				int			first = cmatch_find(st->unmatched, un[j]->key, (const char *const *) un[j]->keys,
												un[j]->lens, un[j]->nkeys, j, CMATCH_FIRST, thr, &score, NULL);

				if (first == -2)
					no_memory();
				root[j] = first >= 0 ? root[first] : j;
				un[j]->rep = un[root[j]]->ord;
				un[j]->score = root[j] == j ? 1.0f : cmatch_similarity(st->unmatched, root[j], j);
			}
		}
		cmatch_free(st->unmatched);
		st->unmatched = NULL;
		from = to;
	}
	SPI_finish();

	for (int i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int64GetDatum(sp[i].ord);
		if (sp[i].end_customer_id != 0)
		{
			values[1] = Int64GetDatum(sp[i].end_customer_id);
			nulls[3] = true;
			values[3] = (Datum) 0;
		}
		else
		{
			nulls[1] = true;
			values[1] = (Datum) 0;
			values[3] = Int64GetDatum(sp[i].rep);
		}
		values[2] = Float4GetDatum(sp[i].score);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/*
 * channel.match_live_deals(ords bigint[], countries text[], lines text[],
 *     keys text[], threshold real)
 * RETURNS TABLE (ord bigint, deal_id bigint, score real)
 *
 * For each (end customer's normalized name, country, product line): every
 * live registration (submitted, approved, conflict) of that country and
 * line whose blocking keys meet the name's and whose customer is at least
 * threshold similar -- what live_deals_meeting() and company_similarity
 * found one GIN probe at a time.  Each country's live registrations are
 * read once.
 */
Datum
channel_match_live_deals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ords,
			   *countries,
			   *lines,
			   *keys;
	bool	   *n0,
			   *n1,
			   *n2,
			   *n3;
	int			n,
				nc,
				nl,
				nk;
	float4		thr;
	spelling   *sp;
	spelling  **order;
	char	  **line;
	match_state *st;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("ords, countries, lines, keys and threshold must not be NULL"),
						errhint("Pass four arrays of the same length and a threshold.")));
	thr = checked_threshold(PG_GETARG_FLOAT4(4));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ords, &n0, &n);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &countries, &n1, &nc);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false, TYPALIGN_INT, &lines, &n2, &nl);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), TEXTOID, -1, false, TYPALIGN_INT, &keys, &n3, &nk);
	if (nc != n || nl != n || nk != n)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						errmsg("ords, countries, lines and keys have different lengths (%d, %d, %d, %d)", n, nc, nl, nk),
						errhint("Pass one country, product line and normalized name per ord.")));

	InitMaterializedSRF(fcinfo, 0);
	sp = palloc0(sizeof(spelling) * (n > 0 ? n : 1));
	order = palloc(sizeof(spelling *) * (n > 0 ? n : 1));
	line = palloc(sizeof(char *) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		if (n0[i] || n1[i] || n2[i] || n3[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							errmsg("element %d of ords, countries, lines or keys is NULL", i + 1),
							errhint("Pass a country, a product line and a normalized name for every element.")));
		sp[i].ord = DatumGetInt64(ords[i]);
		sp[i].country = TextDatumGetCString(countries[i]);
		sp[i].key = TextDatumGetCString(keys[i]);
		line[i] = TextDatumGetCString(lines[i]);
		sp[i].rep = i;			/* where its line is */
		order[i] = &sp[i];
	}
	qsort(order, (size_t) n, sizeof(spelling *), by_country_ord);

	st = match_begin();
	{
		Oid			types[1] = {TEXTOID};

		channel_spi_plan(&deals_plan,
						 "SELECT d.deal_id, d.customer_key::text, d.customer_match_keys FROM channel.deal d "
						 "WHERE d.customer_country = $1 AND d.status IN ('submitted', 'approved', 'conflict') "
						 "ORDER BY d.deal_id", 1, types);
	}
	for (int from = 0; from < n;)
	{
		int			to = from;
		int64	   *ids;

		while (to < n && strcmp(order[to]->country, order[from]->country) == 0)
			to++;
		load_index(st, deals_plan, "reading the live registrations of a country", order[from]->country, 0, &ids);
		for (int i = from; i < to; i++)
		{
			spelling   *s = order[i];
			int		   *items;
			float	   *scores;
			int			m;

			/* the registrations' keys carry country and line: "FR|STORAGE|w:..." */
			spelling_keys(s, psprintf("%s|%s|", s->country, line[s->rep]));
			m = cmatch_find_all(st->customers, s->key, (const char *const *) s->keys, s->lens, s->nkeys,
								thr, &items, &scores);
			if (m == -2)
				no_memory();
			for (int k = 0; k < m; k++)
			{
				Datum		values[3];
				bool		nulls[3] = {false, false, false};

				values[0] = Int64GetDatum(s->ord);
				values[1] = Int64GetDatum(ids[items[k]]);
				values[2] = Float4GetDatum(scores[k]);
				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
			free(items);
			free(scores);
		}
		cmatch_free(st->customers);
		st->customers = NULL;
		from = to;
	}
	SPI_finish();
	PG_RETURN_VOID();
}
