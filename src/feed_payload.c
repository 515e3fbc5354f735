/*
 * feed_payload.c -- the change feed's payload builder.
 *
 *   channel.feed_payload(VARIADIC "any") RETURNS jsonb
 *
 * The same object as pg_catalog.jsonb_build_object() with the same
 * arguments -- the same keys in the same (jsonb) order, the same values
 * converted the same way (integers and finite numerics as JSON numbers,
 * dates and times in jsonb's ISO form, booleans, NULL as null, enums,
 * domains and text as strings) -- built with less work per call:
 * jsonb_build_object looks up each argument's type category and output
 * function and calls fmgr_info() on every call, and turns every integer
 * and numeric into text and back.  Here the type information is looked up
 * once per type and session (a small cache in TopMemoryContext; a type's
 * output function cannot change; a cast to json created later for an enum
 * or domain is not noticed until the next session), the argument types once
 * per call site (fn_extra), integers become numerics directly and finite numerics
 * are used as they are.  Both build the object with pushJsonbValue() and
 * JsonbValueToJsonb(), which sort the keys and keep the last of duplicate
 * keys, so the bytes are equal (test sql/74_feed_payload compares them for
 * every event type of doc/integration.md).
 *
 * Only what the feed passes is accepted: scalars (arrays, composites, json,
 * jsonb and types with a cast to json are refused, feature_not_supported),
 * as separate arguments (not VARIADIC array).
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(channel_feed_payload);

typedef enum payload_kind
{
	PK_TEXT,					/* text, varchar (or a domain over one) */
	PK_CSTRING,					/* an untyped literal: its datum is a C string */
	PK_INT2,
	PK_INT4,
	PK_INT8,
	PK_NUMERIC,
	PK_NUMBER_TEXT,				/* float4, float8: output text as a JSON number */
	PK_BOOL,
	PK_DATETIME,				/* date, timestamp, timestamptz: JsonEncodeDateTime */
	PK_OTHER					/* enums and every other scalar: output text */
} payload_kind;

typedef struct payload_type
{
	Oid			typid;			/* as passed (a domain's own oid) */
	Oid			basetype;
	payload_kind kind;
	FmgrInfo	out;			/* output function, for PK_OTHER, PK_NUMBER_TEXT, PK_NUMERIC */
} payload_type;

/* per session: every argument type met so far (the feed passes about ten) */
static payload_type *type_cache = NULL;
static int	type_cache_n = 0;
static int	type_cache_size = 0;

static const payload_type *
payload_type_of(Oid typid)
{
	payload_type *t;
	Oid			base;
	bool		varlena;
	Oid			outfunc;

	for (int i = 0; i < type_cache_n; i++)
		if (type_cache[i].typid == typid)
			return &type_cache[i];

	if (type_cache_n == type_cache_size)
	{
		int			size = type_cache_size ? 2 * type_cache_size : 16;

		/* FmgrInfo is copied by value: nothing points into the old array */
		type_cache = type_cache
			? repalloc(type_cache, size * sizeof(payload_type))
			: MemoryContextAlloc(TopMemoryContext, size * sizeof(payload_type));
		type_cache_size = size;
	}

	/* as jsonb_categorize_type() does: through any domain first */
	base = getBaseType(typid);
	t = &type_cache[type_cache_n];
	memset(t, 0, sizeof(*t));
	t->typid = typid;
	t->basetype = base;
	switch (base)
	{
		case TEXTOID:
		case VARCHAROID:
			t->kind = PK_TEXT;
			break;
		case UNKNOWNOID:
			t->kind = PK_CSTRING;
			break;
		case INT2OID:
			t->kind = PK_INT2;
			break;
		case INT4OID:
			t->kind = PK_INT4;
			break;
		case INT8OID:
			t->kind = PK_INT8;
			break;
		case NUMERICOID:
			t->kind = PK_NUMERIC;
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			t->kind = PK_NUMBER_TEXT;
			break;
		case BOOLOID:
			t->kind = PK_BOOL;
			break;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			t->kind = PK_DATETIME;
			break;
		case JSONOID:
		case JSONBOID:
			goto unsupported;
		default:
			if (OidIsValid(get_element_type(base)) || base == ANYARRAYOID ||
				base == ANYCOMPATIBLEARRAYOID || base == RECORDARRAYOID || type_is_rowtype(base))
				goto unsupported;
			if (base >= FirstNormalObjectId)
			{
				Oid			castfunc;

				/* jsonb_build_object would use a cast to json */
				if (find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT, &castfunc) == COERCION_PATH_FUNC &&
					OidIsValid(castfunc))
					goto unsupported;
			}
			t->kind = PK_OTHER;
			break;
	}
	if (t->kind == PK_OTHER || t->kind == PK_NUMBER_TEXT || t->kind == PK_NUMERIC)
	{
		getTypeOutputInfo(base, &outfunc, &varlena);
		fmgr_info_cxt(outfunc, &t->out, TopMemoryContext);
	}
	type_cache_n++;
	return t;

unsupported:
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("channel.feed_payload() does not take values of type %s", format_type_be(typid)),
			 errdetail("It builds change-feed payloads from scalar columns only."),
			 errhint("Use jsonb_build_object() for arrays, composites and json.")));
	return NULL;				/* not reached */
}

/*
 * One call site, as found at its first call: the argument types and, when
 * every key is a constant and no key repeats (the feed's calls), the keys
 * converted once and the pairs' place in jsonb's key order (shorter keys
 * first, then bytewise: what pushJsonbValue() sorts them into at the end
 * of every object), so that a call fills the sorted object directly.
 */
typedef struct payload_site
{
	int			nargs;
	bool		presorted;
	JsonbValue *keys;			/* presorted: per pair, its key */
	int		   *order;			/* presorted: the pairs in key order */
	int			types[FLEXIBLE_ARRAY_MEMBER];	/* index in type_cache */
} payload_site;

static int
key_compare(const JsonbValue *a, const JsonbValue *b)
{
	if (a->val.string.len != b->val.string.len)
		return a->val.string.len > b->val.string.len ? 1 : -1;
	return memcmp(a->val.string.val, b->val.string.val, a->val.string.len);
}

static void
string_value(JsonbValue *v, char *s, int len)
{
	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
	v->type = jbvString;
	v->val.string.val = s;
	v->val.string.len = len;
}

/* a number's output text as jsonb_build_object treats it: a JSON number unless NaN or infinite */
static void
number_text_value(JsonbValue *v, char *s)
{
	if (strchr(s, 'N') == NULL && strchr(s, 'n') == NULL)
	{
		v->type = jbvNumeric;
		v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
															 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	}
	else
		string_value(v, s, strlen(s));
}

/* one argument as a key (is_key: always a string) or as a value */
static void
payload_value(JsonbValue *v, const payload_type *t, Datum d, bool is_key)
{
	switch (t->kind)
	{
		case PK_TEXT:
			{
				text	   *s = DatumGetTextPP(d);

				string_value(v, VARDATA_ANY(s), VARSIZE_ANY_EXHDR(s));
				return;
			}
		case PK_CSTRING:
			{
				char	   *s = DatumGetCString(d);

				string_value(v, s, strlen(s));
				return;
			}
		case PK_INT2:
		case PK_INT4:
		case PK_INT8:
			{
				int64		n = t->kind == PK_INT2 ? DatumGetInt16(d)
					: t->kind == PK_INT4 ? DatumGetInt32(d) : DatumGetInt64(d);

				if (is_key)
				{
					char	   *s = psprintf(INT64_FORMAT, n);

					string_value(v, s, strlen(s));
				}
				else
				{
					/* the numeric numeric_in() makes of the integer's text */
					v->type = jbvNumeric;
					v->val.numeric = int64_to_numeric(n);
				}
				return;
			}
		case PK_NUMERIC:
			{
				Numeric		n = DatumGetNumeric(d);	/* detoasted: a 4-byte header, as numeric_in() gives */

				if (!is_key && !numeric_is_nan(n) && !numeric_is_inf(n))
				{
					v->type = jbvNumeric;
					v->val.numeric = n;
				}
				else
				{
					char	   *s = OutputFunctionCall((FmgrInfo *) &t->out, d);

					string_value(v, s, strlen(s));
				}
				return;
			}
		case PK_NUMBER_TEXT:
			{
				char	   *s = OutputFunctionCall((FmgrInfo *) &t->out, d);

				if (is_key)
					string_value(v, s, strlen(s));
				else
					number_text_value(v, s);
				return;
			}
		case PK_BOOL:
			if (is_key)
				string_value(v, DatumGetBool(d) ? "true" : "false", DatumGetBool(d) ? 4 : 5);
			else
			{
				v->type = jbvBool;
				v->val.boolean = DatumGetBool(d);
			}
			return;
		case PK_DATETIME:
			{
				char	   *s = JsonEncodeDateTime(NULL, d, t->basetype, NULL);

				string_value(v, s, strlen(s));
				return;
			}
		case PK_OTHER:
			{
				char	   *s = OutputFunctionCall((FmgrInfo *) &t->out, d);

				string_value(v, s, strlen(s));
				return;
			}
	}
}

static void
payload_presort(FunctionCallInfo fcinfo, payload_site *site)
{
	int			npairs = site->nargs / 2;
	MemoryContext old;

	site->presorted = false;
	for (int i = 0; i < site->nargs; i += 2)
		if (PG_ARGISNULL(i) || !get_fn_expr_arg_stable(fcinfo->flinfo, i))
			return;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	site->keys = palloc(Max(npairs, 1) * sizeof(JsonbValue));
	site->order = palloc(Max(npairs, 1) * sizeof(int));
	for (int p = 0; p < npairs; p++)
	{
		JsonbValue	k;

		payload_value(&k, &type_cache[site->types[2 * p]], PG_GETARG_DATUM(2 * p), true);
		site->keys[p].type = jbvString;
		site->keys[p].val.string.len = k.val.string.len;
		site->keys[p].val.string.val = pnstrdup(k.val.string.val, k.val.string.len);
	}
	MemoryContextSwitchTo(old);
	/* insertion sort of the pair numbers by key (a dozen pairs) */
	for (int p = 0; p < npairs; p++)
	{
		int			j = p;

		while (j > 0 && key_compare(&site->keys[site->order[j - 1]], &site->keys[p]) > 0)
		{
			site->order[j] = site->order[j - 1];
			j--;
		}
		site->order[j] = p;
	}
	for (int j = 1; j < npairs; j++)
		if (key_compare(&site->keys[site->order[j - 1]], &site->keys[site->order[j]]) == 0)
			return;				/* a repeated key: the last one wins, as pushJsonbValue() decides */
	site->presorted = true;
}

Datum
channel_feed_payload(PG_FUNCTION_ARGS)
{
	payload_site *site = (payload_site *) fcinfo->flinfo->fn_extra;
	int			nargs = PG_NARGS();
	JsonbParseState *state = NULL;
	JsonbValue *res;

	if (site == NULL)
	{
		if (get_fn_expr_variadic(fcinfo->flinfo))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("channel.feed_payload() takes its keys and values as separate arguments"),
					 errhint("Call it without VARIADIC.")));
		if (nargs % 2 != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("argument list must have even number of elements"),
					 errhint("The arguments of channel.feed_payload() must consist of alternating keys and values.")));
		site = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(payload_site, types) + nargs * sizeof(int));
		site->nargs = nargs;
		for (int i = 0; i < nargs; i++)
		{
			Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, i);
			const payload_type *t;

			if (!OidIsValid(typid))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("could not determine data type for argument %d", i + 1)));
			/* refuses, once, what it cannot convert */
			t = payload_type_of(typid);
			site->types[i] = t - type_cache;	/* after the call: it may move the cache */
		}
		payload_presort(fcinfo, site);
		fcinfo->flinfo->fn_extra = site;
	}

	if (site->presorted)
	{
		JsonbValue	obj;
		int			npairs = nargs / 2;

		obj.type = jbvObject;
		obj.val.object.nPairs = npairs;
		obj.val.object.pairs = palloc(Max(npairs, 1) * sizeof(JsonbPair));
		for (int j = 0; j < npairs; j++)
		{
			int			p = site->order[j];
			JsonbPair  *pair = &obj.val.object.pairs[j];

			pair->key = site->keys[p];
			pair->order = j;
			if (PG_ARGISNULL(2 * p + 1))
				pair->value.type = jbvNull;
			else
				payload_value(&pair->value, &type_cache[site->types[2 * p + 1]], PG_GETARG_DATUM(2 * p + 1), false);
		}
		PG_RETURN_POINTER(JsonbValueToJsonb(&obj));
	}

	res = pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < nargs; i += 2)
	{
		JsonbValue	v;

		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("argument %d: key must not be null", i + 1)));
		payload_value(&v, &type_cache[site->types[i]], PG_GETARG_DATUM(i), true);
		res = pushJsonbValue(&state, WJB_KEY, &v);
		if (PG_ARGISNULL(i + 1))
			v.type = jbvNull;
		else
			payload_value(&v, &type_cache[site->types[i + 1]], PG_GETARG_DATUM(i + 1), false);
		res = pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_POINTER(JsonbValueToJsonb(res));
}
