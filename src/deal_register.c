/*
 * deal_register.c -- conflict detection when a deal is registered: the
 * BEFORE trigger (its advisory locks: deal_lock.c).
 *
 * BEFORE INSERT OR UPDATE OF customer_name, customer_country, product_line
 * ON channel.deal, per row:
 *
 *   - stores the normalized customer name (customer_key), its blocking
 *     keys (customer_match_keys, each prefixed with country and product
 *     line, so one GIN lookup finds candidates of that customer, country
 *     and line only) and the countries of its legal forms
 *     (customer_jurisdictions, which the name's normalized form no longer
 *     shows);
 *   - sets protected_until of a live registration that has none:
 *     submitted_at + the product line's protection_days
 *     (deal_protection.c);
 *   - for a new registration (INSERT with status 'submitted'), finds other
 *     registrants' live registrations (submitted, approved, conflict) of the
 *     same customer -- same key, or company_similarity >= channel.match_threshold,
 *     with its penalty for legal forms of different jurisdictions --
 *     in the same country and product line whose protection window
 *     overlaps (deal_conflict_find.c), and applies channel.conflict_policy:
 *     'flag' turns the new one into 'conflict' and leaves the pairs for the
 *     AFTER trigger to record in channel.deal_conflict
 *     (deal_conflict_record.c); 'reject' raises CH001 without a word about
 *     the other registration.
 *
 * Rows inserted with another status are imports of history and are not
 * checked.  The columns are found through a per-backend cache
 * (deal_columns.c).
 *
 * Why advisory locks and not an exclusion constraint: fuzzy equality is
 * not an operator an exclusion constraint can use, and two inserters
 * checking an exclusion constraint can deadlock each other.  Instead each
 * registration takes transaction-scoped advisory locks before looking
 * (deal_lock.c): one per blocking-key range its lookup searches, so that a
 * second registration of a customer whose name could match waits until
 * the first commits or aborts, and then -- in READ COMMITTED, where every
 * query of the trigger takes a fresh snapshot -- sees it, while
 * registrations of unrelated customers do not wait.  Under REPEATABLE READ
 * or SERIALIZABLE the snapshot is older than the wait, so a registration
 * that had to wait fails with a serialization error to be retried instead
 * of missing the conflict.
 *
 * SPI is connected only when a query must run (reading the protection days,
 * the fallback candidate query): most registrations need none.  The trigger
 * resets the lazy connection when it starts and finishes it at the end
 * (channel_spi.h).  Its queries only read, so the trigger never runs inside
 * itself.
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "channel_spi.h"
#include "company_sql.h"
#include "deal_columns.h"
#include "deal_conflict_find.h"
#include "deal_conflict_record.h"
#include "deal_lock.h"
#include "deal_protection.h"
#include "deal_settings.h"

PG_FUNCTION_INFO_V1(channel_deal_register_trigger);
static bool
text_is_blank(text *t)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	for (int i = 0; i < len; i++)
		if (!isspace((unsigned char) s[i]))
			return false;
	return true;
}

/* one registration row under way: what it is, and the columns the trigger sets */
typedef struct registration
{
	HeapTuple	row;
	TupleDesc	desc;
	const deal_columns *cols;
	char	   *key;			/* normalized customer name */
	char	   *country;
	char	   *product_line;
	Datum		match_keys;
	/* the countries of its legal forms (customer_jurisdictions), sorted */
	const char *jurisdictions[COMPANY_MAX_JURISDICTIONS];
	int			njurisdictions;
	int			nchange;
	int			attnums[6];
	Datum		newvals[6];
	bool		newnulls[6];
} registration;

static void
set_column_null(registration *reg, deal_column col, Datum value, bool isnull)
{
	reg->attnums[reg->nchange] = reg->cols->att[col];
	reg->newnulls[reg->nchange] = isnull;
	reg->newvals[reg->nchange++] = value;
}

static void
set_column(registration *reg, deal_column col, Datum value)
{
	set_column_null(reg, col, value, false);
}

/*
 * customer_key, customer_match_keys and customer_jurisdictions from the
 * name, country and line
 */
static void
derive_keys(registration *reg)
{
	bool		isnull;
	text	   *name = DatumGetTextPP(heap_getattr(reg->row, reg->cols->att[COL_CUSTOMER_NAME], reg->desc, &isnull));
	company_jurisdictions jurisdictions;

	reg->key = channel_normalize_text_jurisdictions(name, "the customer name", &jurisdictions);
	reg->njurisdictions = company_jurisdiction_codes(&jurisdictions, reg->jurisdictions, COMPANY_MAX_JURISDICTIONS);
	/* a blank name is the CHECK constraint's to report, after this trigger */
	if (reg->key[0] == '\0' && !text_is_blank(name))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("customer name has no letter or digit"),
				 errdetail("A registration is matched against others by the customer's name."),
				 errhint("Write the end customer's company name.")));

	/* both text (the country a domain over it): no output function needed */
	reg->country = TextDatumGetCString(heap_getattr(reg->row, reg->cols->att[COL_CUSTOMER_COUNTRY], reg->desc, &isnull));
	reg->product_line = TextDatumGetCString(heap_getattr(reg->row, reg->cols->att[COL_PRODUCT_LINE], reg->desc, &isnull));

	set_column(reg, COL_CUSTOMER_KEY, CStringGetTextDatum(reg->key));
	reg->match_keys = PointerGetDatum(channel_match_keys_array(reg->key,
															   psprintf("%s|%s|", reg->country, reg->product_line)));
	set_column(reg, COL_CUSTOMER_MATCH_KEYS, reg->match_keys);
	if (reg->cols->att[COL_CUSTOMER_JURISDICTIONS] != 0)
	{
		Datum		codes = channel_jurisdictions_array(&jurisdictions, &isnull);

		set_column_null(reg, COL_CUSTOMER_JURISDICTIONS, codes, isnull);
	}
}

/* protected_until, set if a live row has none; (Datum) 0 when unknown */
static Datum
protection_window(registration *reg, bool live)
{
	bool		isnull;
	Datum		protected_until = heap_getattr(reg->row, reg->cols->att[COL_PROTECTED_UNTIL], reg->desc, &isnull);

	if (isnull && live)
	{
		Datum		submitted_at = heap_getattr(reg->row, reg->cols->att[COL_SUBMITTED_AT], reg->desc, &isnull);

		/* a missing submitted_at is the NOT NULL constraint's to report */
		protected_until = isnull ? (Datum) 0 : deal_protection_end(submitted_at, reg->product_line);
		if (protected_until != (Datum) 0)
			set_column(reg, COL_PROTECTED_UNTIL, protected_until);
	}
	return protected_until;
}

/* A new registration: take its locks, find its conflicts, apply the policy. */
static void
check_conflicts(registration *reg, Relation rel, Datum protected_until)
{
	deal_match *matches;
	int			nmatch;
	bool		isnull;

	deal_lock_registration(reg->country, reg->product_line, reg->match_keys);
	nmatch = deal_find_conflicts(rel, reg->cols, reg->row, reg->key, reg->match_keys,
								 reg->jurisdictions, reg->njurisdictions, protected_until, &matches);
	if (nmatch > 0 && deal_policy_rejects())
		ereport(ERROR,
				(errcode(MAKE_SQLSTATE('C', 'H', '0', '0', '1')),
				 errmsg("deal registration conflicts with an existing registration"),
				 errdetail("This end customer and product line are already registered by another registrant "
						   "for an overlapping period."),
				 errhint("Ask your channel manager about this opportunity.")));
	if (nmatch > 0)
	{
		deal_remember_conflicts(DatumGetInt64(heap_getattr(reg->row, reg->cols->att[COL_DEAL_ID], reg->desc, &isnull)),
								matches, nmatch);
		set_column(reg, COL_STATUS, ObjectIdGetDatum(reg->cols->conflict));
		set_column(reg, COL_STATUS_REASON, CStringGetTextDatum("conflicts with an existing registration"));
	}
}

Datum
channel_deal_register_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	MemoryContext caller = CurrentMemoryContext;
	registration reg = {0};
	Oid			status;
	bool		live;
	Datum		protected_until;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("channel.deal_register() must be a BEFORE INSERT OR UPDATE row trigger"),
				 errhint("It is installed on channel.deal by the extension.")));

	channel_spi_lazy_reset();
	reg.row = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	reg.desc = RelationGetDescr(trigdata->tg_relation);
	reg.cols = deal_columns_of(trigdata->tg_relation, "channel.deal_register()");

	/* missing values are the NOT NULL constraints' to report */
	if (heap_attisnull(reg.row, reg.cols->att[COL_CUSTOMER_NAME], reg.desc) ||
		heap_attisnull(reg.row, reg.cols->att[COL_CUSTOMER_COUNTRY], reg.desc) ||
		heap_attisnull(reg.row, reg.cols->att[COL_PRODUCT_LINE], reg.desc))
		return PointerGetDatum(reg.row);

	derive_keys(&reg);
	status = deal_status_of(reg.row, reg.desc, reg.cols);
	live = status == reg.cols->submitted || status == reg.cols->approved || status == reg.cols->conflict;
	protected_until = protection_window(&reg, live);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && status == reg.cols->submitted &&
		protected_until != (Datum) 0)
		check_conflicts(&reg, trigdata->tg_relation, protected_until);

	/*
	 * The row is built in the caller's memory, before SPI (if a query
	 * connected it) frees its own, where some of the new values may be.
	 */
	MemoryContextSwitchTo(caller);
	reg.row = heap_modify_tuple_by_cols(reg.row, reg.desc, reg.nchange, reg.attnums, reg.newvals, reg.newnulls);
	channel_spi_lazy_finish();
	return PointerGetDatum(reg.row);
}
