/*
 * deal_columns.c -- the per-backend column cache of the registration
 * triggers.
 *
 * The columns of channel.deal the triggers read and write, by attribute
 * number, found once per backend instead of by name at every row: a
 * registration asked for about twenty-five of them, each a search of the
 * row descriptor.  The copy is checked against the descriptor at every
 * use, by name and type (a few short string comparisons), and found again
 * when the table is no longer the one it was made for.  The statuses are
 * kept as their enum OIDs, so a row's status is compared without the
 * enum's output function.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "deal_columns.h"

static const struct
{
	const char *name;
	Oid			type;			/* of the column or of its domain; InvalidOid: the enum */
	bool		optional;		/* absent from 0.1.0's table, which the new library also serves */
}			deal_column_spec[DEAL_COLUMNS] = {
	[COL_DEAL_ID] = {"deal_id", INT8OID},
	[COL_PARTNER_ID] = {"partner_id", INT8OID},
	[COL_CUSTOMER_NAME] = {"customer_name", TEXTOID},
	[COL_CUSTOMER_COUNTRY] = {"customer_country", TEXTOID},
	[COL_PRODUCT_LINE] = {"product_line", TEXTOID},
	[COL_STATUS] = {"status", InvalidOid},
	[COL_STATUS_REASON] = {"status_reason", TEXTOID},
	[COL_SUBMITTED_AT] = {"submitted_at", TIMESTAMPTZOID},
	[COL_PROTECTED_UNTIL] = {"protected_until", TIMESTAMPTZOID},
	[COL_CUSTOMER_KEY] = {"customer_key", TEXTOID},
	[COL_CUSTOMER_MATCH_KEYS] = {"customer_match_keys", TEXTARRAYOID},
	[COL_CUSTOMER_JURISDICTIONS] = {"customer_jurisdictions", TEXTARRAYOID, true},
};

static deal_columns columns = {InvalidOid};

static bool
columns_fit(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	/* a column added since (ALTER EXTENSION UPDATE) changes natts */
	if (columns.relid != RelationGetRelid(rel) || columns.natts != desc->natts)
		return false;
	for (int i = 0; i < DEAL_COLUMNS; i++)
	{
		Form_pg_attribute attr;

		if (columns.att[i] == 0)
			continue;			/* an optional column the table lacks */
		if (columns.att[i] > desc->natts)
			return false;
		attr = TupleDescAttr(desc, columns.att[i] - 1);
		if (attr->attisdropped || attr->atttypid != columns.atttype[i] ||
			strcmp(NameStr(attr->attname), deal_column_spec[i].name) != 0)
			return false;
	}
	return true;
}

static Oid
enum_label_oid(Oid enum_type, const char *label)
{
	return DatumGetObjectId(DirectFunctionCall2(enum_in, CStringGetDatum(label), ObjectIdGetDatum(enum_type)));
}

const deal_columns *
deal_columns_of(Relation rel, const char *trigger)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			status_type;

	if (columns_fit(rel))
		return &columns;
	columns.relid = InvalidOid;
	for (int i = 0; i < DEAL_COLUMNS; i++)
	{
		int			att = SPI_fnumber(desc, deal_column_spec[i].name);
		Oid			type = att > 0 ? TupleDescAttr(desc, att - 1)->atttypid : InvalidOid;

		if (att <= 0 && deal_column_spec[i].optional)
		{
			columns.att[i] = 0;
			columns.atttype[i] = InvalidOid;
			continue;
		}
		if (att <= 0 || (OidIsValid(deal_column_spec[i].type) && getBaseType(type) != deal_column_spec[i].type))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("table \"%s\" has no column \"%s\" of the type %s needs",
							RelationGetRelationName(rel), deal_column_spec[i].name, trigger),
					 errdetail("The trigger %s reads or writes this column at every registration.", trigger),
					 errhint("The trigger belongs on channel.deal as the extension creates it.")));
		columns.att[i] = (AttrNumber) att;
		columns.atttype[i] = type;
	}
	status_type = columns.atttype[COL_STATUS];
	if (get_typtype(status_type) != TYPTYPE_ENUM)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"status\" of table \"%s\" is not channel.deal_status",
						RelationGetRelationName(rel)),
				 errdetail("The trigger %s compares the status with the labels submitted, approved and conflict.", trigger),
				 errhint("The trigger belongs on channel.deal as the extension creates it.")));
	columns.submitted = enum_label_oid(status_type, "submitted");
	columns.approved = enum_label_oid(status_type, "approved");
	columns.conflict = enum_label_oid(status_type, "conflict");
	columns.natts = desc->natts;
	columns.relid = RelationGetRelid(rel);
	return &columns;
}

Oid
deal_status_of(HeapTuple row, TupleDesc desc, const deal_columns *cols)
{
	bool		isnull;
	Datum		status = heap_getattr(row, cols->att[COL_STATUS], desc, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(status);
}
