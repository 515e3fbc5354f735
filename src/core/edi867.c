/*
 * edi867.c -- reading X12 867 sell-through reports (see edi867.h).
 */
#include "edi867.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ELEMENTS 64

typedef struct Elem
{
	const char *p;
	size_t		len;
} Elem;

/* what a PTD loop gives all of its items */
static const Edi867Field ptd_fields[] = {
	E867_INVOICE_NO, E867_INVOICE_DATE, E867_CUSTOMER_NAME, E867_CUSTOMER_COUNTRY,
	E867_CUSTOMER_CITY, E867_CUSTOMER_POSTCODE, E867_RESELLER_ID
};
#define N_PTD_FIELDS (sizeof ptd_fields / sizeof ptd_fields[0])

typedef struct Reader
{
	Edi867Result *out;
	size_t		segno;
	bool		in_tx;
	bool		in_ptd;
	bool		item_open;
	int			n1_role;		/* 0 other, 1 customer, 2 reseller */
	size_t		ptd_first;		/* first line of the open PTD */
	Elem		ptd[EDI867_NFIELDS];	/* the open PTD's values (only ptd_fields used) */
	Elem		currency;
} Reader;

static const char *const field_names[EDI867_NFIELDS] = {
	"line_no", "invoice_no", "invoice_date", "sku", "quantity", "unit_price", "currency",
	"customer_name", "customer_country", "customer_city", "customer_postcode", "reseller_id"
};

const char *
edi867_field_name(Edi867Field f)
{
	return (f >= 0 && f < EDI867_NFIELDS) ? field_names[f] : NULL;
}

static bool fail(Reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool
fail(Reader *r, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(r->out->error, sizeof r->out->error, fmt, ap);
	va_end(ap);
	r->out->error_segment = r->segno;
	return false;
}

static char *
dup_elem(Elem e)
{
	char	   *s = malloc(e.len + 1);

	if (s == NULL)
		return NULL;
	if (e.len > 0)
		memcpy(s, e.p, e.len);
	s[e.len] = '\0';
	return s;
}

static bool
elem_is(Elem e, const char *s)
{
	size_t		n = strlen(s);

	return e.len == n && memcmp(e.p, s, n) == 0;
}

/* element i of a segment, empty when absent */
static Elem
el(const Elem *els, int n, int i)
{
	Elem		none = {"", 0};

	return i < n ? els[i] : none;
}

static bool
set_field(Reader *r, size_t line, Edi867Field f, Elem v)
{
	char	   *s = dup_elem(v);

	if (s == NULL)
		return fail(r, "out of memory");
	free(r->out->lines[line].field[f]);
	r->out->lines[line].field[f] = s;
	return true;
}

/* a new line, every field "" but the currency in force */
static bool
new_line(Reader *r)
{
	Edi867Result *o = r->out;
	Edi867Line *l;
	Elem		none = {"", 0};

	if (o->nlines >= EDI867_MAX_LINES)
		return fail(r, "more than %d lines", EDI867_MAX_LINES);
	if (o->nlines == o->cap)
	{
		size_t		cap = o->cap ? o->cap * 2 : 64;
		Edi867Line *n = realloc(o->lines, cap * sizeof(Edi867Line));

		if (n == NULL)
			return fail(r, "out of memory");
		o->lines = n;
		o->cap = cap;
	}
	l = &o->lines[o->nlines];
	memset(l, 0, sizeof *l);
	o->nlines++;
	for (int f = 0; f < EDI867_NFIELDS; f++)
		if (!set_field(r, o->nlines - 1, (Edi867Field) f, f == E867_CURRENCY ? r->currency : none))
			return false;
	return true;
}

/* the open PTD ends: its items get its invoice, date, customer and reseller */
static bool
close_ptd(Reader *r)
{
	if (r->in_ptd)
		for (size_t i = r->ptd_first; i < r->out->nlines; i++)
			for (size_t k = 0; k < N_PTD_FIELDS; k++)
				if (!set_field(r, i, ptd_fields[k], r->ptd[ptd_fields[k]]))
					return false;
	r->in_ptd = false;
	r->item_open = false;
	return true;
}

static bool
segment(Reader *r, const Elem *els, int n)
{
	Elem		id = els[0];

	if (elem_is(id, "ISA") || elem_is(id, "GS") || elem_is(id, "GE") || elem_is(id, "IEA"))
	{
		if (r->in_tx)
			return fail(r, "%.*s inside a transaction (no SE before it)", (int) id.len, id.p);
		return true;
	}
	if (elem_is(id, "ST"))
	{
		if (r->in_tx)
			return fail(r, "ST inside a transaction (no SE before it)");
		if (!elem_is(el(els, n, 1), "867"))
			return fail(r, "transaction set %.*s is not an 867 (product transfer and resale report)",
						(int) (el(els, n, 1).len > 20 ? 20 : el(els, n, 1).len), el(els, n, 1).p);
		r->in_tx = true;
		r->currency = (Elem) {"", 0};
		return true;
	}
	if (!r->in_tx)
		return fail(r, "segment %.*s outside a transaction (ST*867 ... SE)", (int) (id.len > 20 ? 20 : id.len), id.p);
	if (elem_is(id, "SE"))
	{
		if (!close_ptd(r))
			return false;
		r->in_tx = false;
		r->out->transactions++;
		return true;
	}
	if (elem_is(id, "CUR"))
	{
		r->currency = el(els, n, 2);
		return true;
	}
	if (elem_is(id, "PTD"))
	{
		if (!close_ptd(r))
			return false;
		r->in_ptd = true;
		r->ptd_first = r->out->nlines;
		r->n1_role = 0;
		for (int f = 0; f < EDI867_NFIELDS; f++)
			r->ptd[f] = (Elem) {"", 0};
		return true;
	}
	if (elem_is(id, "LIN"))
	{
		if (!r->in_ptd)
			return fail(r, "LIN (an item) outside a PTD loop");
		if (!new_line(r))
			return false;
		r->item_open = true;
		return set_field(r, r->out->nlines - 1, E867_LINE_NO, el(els, n, 1)) &&
			set_field(r, r->out->nlines - 1, E867_SKU, el(els, n, 3));
	}
	if (!r->in_ptd)
		return true;			/* header segments (BPT, N1 of the reporter, ...) */
	if (elem_is(id, "DTM"))
		r->ptd[E867_INVOICE_DATE] = el(els, n, 2);
	else if (elem_is(id, "REF"))
	{
		if (elem_is(el(els, n, 1), "IV") || elem_is(el(els, n, 1), "IN"))
			r->ptd[E867_INVOICE_NO] = el(els, n, 2);
	}
	else if (elem_is(id, "N1"))
	{
		Elem		q = el(els, n, 1);

		if (elem_is(q, "ST") || elem_is(q, "BY") || elem_is(q, "EN"))
		{
			r->n1_role = 1;
			r->ptd[E867_CUSTOMER_NAME] = el(els, n, 2);
		}
		else if (elem_is(q, "SE"))
		{
			r->n1_role = 2;
			r->ptd[E867_RESELLER_ID] = el(els, n, 4);
		}
		else
			r->n1_role = 0;
	}
	else if (elem_is(id, "N4"))
	{
		if (r->n1_role == 1)
		{
			r->ptd[E867_CUSTOMER_CITY] = el(els, n, 1);
			r->ptd[E867_CUSTOMER_POSTCODE] = el(els, n, 3);
			r->ptd[E867_CUSTOMER_COUNTRY] = el(els, n, 4);
		}
	}
	else if (elem_is(id, "QTY"))
	{
		if (r->item_open)
			return set_field(r, r->out->nlines - 1, E867_QUANTITY, el(els, n, 2));
	}
	else if (elem_is(id, "CTP"))
	{
		if (r->item_open)
			return set_field(r, r->out->nlines - 1, E867_UNIT_PRICE, el(els, n, 3));
	}
	return true;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
edi867_parse(const char *doc, size_t len, Edi867Result *out)
{
	Reader		r;
	char		esep,
				term;
	size_t		pos = 0;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.out = out;
	while (pos < len && is_space(doc[pos]))
		pos++;
	if (len - pos < 106 || memcmp(doc + pos, "ISA", 3) != 0)
	{
		r.segno = 1;
		return fail(&r, "not an X12 interchange: it must begin with the 106-byte ISA segment");
	}
	esep = doc[pos + 3];
	term = doc[pos + 105];
	/* ASCII, so that splitting never cuts a multibyte character */
	if (esep == term || esep == '\0' || term == '\0' || (unsigned char) esep >= 0x80 || (unsigned char) term >= 0x80 ||
		(esep >= '0' && esep <= '9') || (esep >= 'A' && esep <= 'Z') || (esep >= 'a' && esep <= 'z') ||
		(term >= '0' && term <= '9') || (term >= 'A' && term <= 'Z') || (term >= 'a' && term <= 'z'))
	{
		r.segno = 1;
		return fail(&r, "the ISA segment gives no usable separators (element separator at byte 4, segment terminator at byte 106)");
	}
	while (pos < len)
	{
		Elem		els[MAX_ELEMENTS];
		int			n = 0;
		size_t		end = pos;
		size_t		start;

		while (end < len && doc[end] != term)
			end++;
		while (pos < end && is_space(doc[pos]))
			pos++;
		if (pos < end)
		{
			r.segno++;
			start = pos;
			for (size_t i = pos; i <= end; i++)
			{
				if (i == end || doc[i] == esep)
				{
					if (n == MAX_ELEMENTS)
						return fail(&r, "a segment of more than %d elements", MAX_ELEMENTS);
					if (i - start > EDI867_MAX_ELEMENT)
						return fail(&r, "an element longer than %d bytes", EDI867_MAX_ELEMENT);
					els[n].p = doc + start;
					els[n].len = i - start;
					n++;
					start = i + 1;
				}
			}
			/* trailing spaces of the last element (a line break before the terminator) */
			while (els[n - 1].len > 0 && is_space(els[n - 1].p[els[n - 1].len - 1]))
				els[n - 1].len--;
			if (!segment(&r, els, n))
				return false;
		}
		pos = end + 1;
	}
	if (r.in_tx)
		return fail(&r, "the document ends inside a transaction (no SE)");
	if (out->transactions == 0)
		return fail(&r, "no 867 transaction (ST*867 ... SE) in the document");
	return true;
}

void
edi867_free(Edi867Result *out)
{
	for (size_t i = 0; i < out->nlines; i++)
		for (int f = 0; f < EDI867_NFIELDS; f++)
			free(out->lines[i].field[f]);
	free(out->lines);
	out->lines = NULL;
	out->nlines = out->cap = 0;
}
