/* test_company.c -- normalization, similarity and blocking keys of company names. */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "unit.h"
#include "company.h"
#include "company_legal_forms.h"
#include "company_words.h"

static char *
norm(const char *s)
{
	static char buf[4][512];
	static int	next;
	char	   *out = NULL;
	char	   *slot = buf[next++ % 4];

	if (company_normalize(s, strlen(s), &out) != COMPANY_OK)
		return NULL;
	snprintf(slot, 512, "%s", out);
	free(out);
	return slot;
}

static float
sim(const char *a, const char *b)
{
	float		score = -1;

	CHECK(company_similarity(a, strlen(a), b, strlen(b), &score, NULL) == COMPANY_OK);
	return score;
}

UNIT_TEST(normalize_ascii_forms)
{
	CHECK_STR(norm("SOCIETE GENERALE"), "societe generale");
	CHECK_STR(norm("  Acme,   Inc. "), "acme");
	CHECK_STR(norm("The Boeing Company"), "boeing");
	CHECK_STR(norm("I.B.M. Corp."), "ibm");
	CHECK_STR(norm("Procter & Gamble Co."), "procter and gamble");
	CHECK_STR(norm("Smith & Co"), "smith");
	CHECK_STR(norm("Foo GmbH & Co. KG"), "foo");
	CHECK_STR(norm("Fiat S.p.A."), "fiat");
	CHECK_STR(norm("Maersk A/S"), "maersk");
	CHECK_STR(norm("E.ON SE"), "eon");
	CHECK_STR(norm("McDonald's Corporation"), "mcdonalds");
	CHECK_STR(norm("Hewlett-Packard"), "hewlett packard");
	CHECK_STR(norm("AB Volvo"), "volvo");
	CHECK_STR(norm("Samsung Electronics Co., Ltd."), "samsung electronics");
	CHECK_STR(norm("Orlen Sp. z o.o."), "orlen");
	CHECK_STR(norm("Qantas Airways Pty Ltd"), "qantas airways");
	CHECK_STR(norm("www.acme.com"), "www acme com");
	CHECK_STR(norm("Warner Bros."), "warner brothers");
	CHECK_STR(norm("St. Jude Medical"), "saint jude medical");
	CHECK_STR(norm("AG"), "ag");			/* a name keeps at least one token */
	CHECK_STR(norm("The"), "the");
	CHECK_STR(norm("!!!"), "");
	CHECK_STR(norm(""), "");
}

UNIT_TEST(normalize_other_scripts)
{
	CHECK_STR(norm("Société Générale S.A."), "societe generale");
	CHECK_STR(norm("ООО «Газпром»"), "gazprom");
	CHECK_STR(norm("Газпром"), "gazprom");
	CHECK_STR(norm("ＩＢＭ"), "ibm");			/* full-width, NFKC */
	CHECK_STR(norm("Nestlé S.A."), "nestle");
	CHECK_STR(norm("Deutsche Bahn AG"), norm("DEUTSCHE BAHN"));
	CHECK_STR(norm("Müller GmbH"), "muller");
	CHECK_STR(norm("Straße"), "strasse");
	CHECK(norm("東京電力") != NULL && strlen(norm("東京電力")) > 0);
	/* Greek through UNGEGN (ELOT 743): η i, β v, υ y, ου ou, χ ch */
	CHECK_STR(norm("Ελληνικά Πετρέλαια"), "ellinika petrelaia");
	CHECK_STR(norm("Σκλαβενίτης"), "sklavenitis");
	CHECK_STR(norm("Μασούτης"), "masoutis");
	CHECK_STR(norm("Βιοχάλκο"), "viochalko");
	CHECK_STR(norm("Ανώνυμη Εταιρεία Τιτάν"), "titan");	/* the spelled-out form written first */
	CHECK_STR(norm("Τιτάν Α.Ε."), "titan");
}

/* The Latin schemes of one Greek name meet its UNGEGN form: β v/b, η i/e, ου ou/u. */
UNIT_TEST(similarity_greek_schemes_meet)
{
	CHECK(sim("Βιοχάλκο", "Viochalko") == 1.0f);
	CHECK(sim("Βιοχάλκο", "Biochalko") >= 0.95f);		/* b -> v */
	CHECK(sim("Βενέτης", "Benetis") >= 0.95f);
	CHECK(sim("Μασούτης", "Masutis") >= 0.95f);			/* ou -> u */
	CHECK(sim("Σκλαβενίτης", "Sklavenites") >= 0.85f);	/* η as e: one letter */
	CHECK(sim("Σκλαβενίτης", "Sklabenites") >= 0.85f);	/* Any-Latin's classical scheme */
	CHECK(sim("Φουρλής", "Furlis") >= 0.95f);
	CHECK(sim("Μασούτης", "Sklavenitis") < 0.5f);
}

/* Legal forms of different jurisdictions count against a match; one company's own form does not. */
UNIT_TEST(similarity_jurisdictions)
{
	company_jurisdictions de, us, none;
	char	   *out = NULL;

	CHECK(company_normalize_jurisdictions("Merck KGaA", 10, &out, &de) == COMPANY_OK);
	CHECK_STR(out, "merck");
	free(out);
	CHECK(company_normalize_jurisdictions("Merck & Co., Inc.", 17, &out, &us) == COMPANY_OK);
	CHECK_STR(out, "merck");
	free(out);
	CHECK(company_normalize_jurisdictions("Merck", 5, &out, &none) == COMPANY_OK);
	free(out);
	CHECK(company_jurisdictions_conflict(&de, &us));
	CHECK(!company_jurisdictions_conflict(&de, &none));	/* no form: no evidence */
	CHECK(!company_jurisdictions_conflict(&de, &de));

	CHECK(sim("Merck KGaA", "Merck & Co., Inc.") < 0.85f);
	CHECK(sim("Merck KGaA", "Merck & Co., Inc.") == 0.8f);
	CHECK(sim("Volvo AB", "Volvo S.A.") < 0.85f);			/* SE against the S.A. countries */
	CHECK(sim("Swedbank AB", "Swedbank AS") < 0.85f);		/* SE/FI/LT against NO/EE/LV */
	CHECK(sim("Metro AG", "Metro Inc.") < 0.85f);
	CHECK(sim("Merck KGaA", "Merck") == 1.0f);				/* the company's own form vs none */
	CHECK(sim("Siemens AG", "Siemens Aktiengesellschaft") == 1.0f);
	CHECK(sim("Nestlé S.A.", "Nestlé AG") == 1.0f);		/* both Swiss */
	CHECK(sim("Nokia Oyj", "Nokia Corporation") == 1.0f);	/* an English form of any country */
	CHECK(sim("Ferrovial S.A.", "Ferrovial SE") == 1.0f);	/* SE: every EEA country, Spain too */
	CHECK(sim("Gazprom PJSC", "ПАО «Газпром»") == 1.0f);
	CHECK(sim("Arçelik Anonim Şirketi", "Arcelik A.S.") == 1.0f);	/* "AS" pools Turkey with Norway, ... */
	/* the list's countries fit the set, and codes are two capitals */
	CHECK(company_jurisdiction_count() > 50 && company_jurisdiction_count() <= COMPANY_MAX_JURISDICTIONS);
	for (int k = 0; k < company_jurisdiction_count(); k++)
	{
		const char *c = company_jurisdiction_code(k);

		CHECK(c != NULL && strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z');
	}
}

/* The codes stored for a name conflict exactly when its set does. */
static bool
codes_conflict(const char *a, const char *b)
{
	company_jurisdictions ja, jb;
	const char *ca[COMPANY_MAX_JURISDICTIONS], *cb[COMPANY_MAX_JURISDICTIONS];
	char	   *out = NULL;
	int			na, nb;

	CHECK(company_normalize_jurisdictions(a, strlen(a), &out, &ja) == COMPANY_OK);
	free(out);
	CHECK(company_normalize_jurisdictions(b, strlen(b), &out, &jb) == COMPANY_OK);
	free(out);
	na = company_jurisdiction_codes(&ja, ca, COMPANY_MAX_JURISDICTIONS);
	nb = company_jurisdiction_codes(&jb, cb, COMPANY_MAX_JURISDICTIONS);
	for (int i = 1; i < na; i++)
		CHECK(strcmp(ca[i - 1], ca[i]) < 0);		/* sorted, distinct */
	CHECK(company_jurisdiction_codes_conflict(ca, na, cb, nb) == company_jurisdictions_conflict(&ja, &jb));
	return company_jurisdiction_codes_conflict(ca, na, cb, nb);
}

UNIT_TEST(jurisdiction_codes_as_stored)
{
	company_jurisdictions de;
	const char *codes[COMPANY_MAX_JURISDICTIONS];
	char	   *out = NULL;
	int			n;
	bool		has_de = false;

	CHECK(company_normalize_jurisdictions("Merck KGaA", 10, &out, &de) == COMPANY_OK);
	free(out);
	n = company_jurisdiction_codes(&de, codes, COMPANY_MAX_JURISDICTIONS);
	for (int i = 0; i < n; i++)
		has_de |= strcmp(codes[i], "DE") == 0;
	CHECK(n >= 1 && has_de);
	CHECK(company_jurisdiction_codes(&de, codes, 0) == 0);
	CHECK(codes_conflict("Merck KGaA", "Merck & Co., Inc."));
	CHECK(codes_conflict("Volvo AB", "Volvo S.A."));
	CHECK(!codes_conflict("Merck KGaA", "Merck"));
	CHECK(!codes_conflict("Nestlé S.A.", "Nestlé AG"));
	CHECK(!codes_conflict("Nokia Oyj", "Nokia Corporation"));
	CHECK(!codes_conflict("Arçelik Anonim Şirketi", "Arcelik A.S."));
	CHECK(!codes_conflict("Acme", "Acme"));
}

/* A trade word more is another business; a holding word more is the same company. */
UNIT_TEST(similarity_extra_words)
{
	CHECK(sim("Siemens", "Siemens Energy") < 0.85f);
	CHECK(sim("Kubota", "Kubota Pharmaceutical") < 0.85f);
	CHECK(sim("Swatch", "Swatch Group") >= 0.85f);
	CHECK(sim("Wilmar", "Wilmar International") >= 0.85f);
	CHECK(sim("Boots", "Booths") < 0.85f);		/* two English words, equal once folded */
	CHECK(sim("Centre Parcs", "Center Parcs") >= 0.95f);	/* one word's two spellings */
	CHECK(sim("Halma", "Hallam") < 0.85f);		/* a swap only once folded */
	CHECK(sim("Microsoft", "Mircosoft") >= 0.85f);
}

/*
 * The reference: ICU's "NFKC; Any-Latin; Latin-ASCII" over the whole name,
 * then the rules that follow transliteration (the ASCII path applies them
 * alone).  The tables and per-script paths must give the same result.
 */
static char *
norm_by_whole_string_icu(const char *s)
{
	/* Cyrillic through the BGN/PCGN romanization first, Ukrainian's for Ukrainian letters */
	/* Greek through UNGEGN when there is no Cyrillic */
	static const char *const chains[] = {"NFKC; Any-Latin; Latin-ASCII",
		"NFKC; Russian-Latin/BGN; Any-Latin; Latin-ASCII",
		"NFKC; Ukrainian-Latin/BGN; Any-Latin; Latin-ASCII",
	"NFKC; Greek-Latin/UNGEGN; Any-Latin; Latin-ASCII"};
	static UTransliterator *cache[4];
	UTransliterator *trans;
	int			chain = 0;
	UChar		buf[1024];
	char		latin[4096];
	int32_t		len = 0,
				limit;
	UErrorCode	err = U_ZERO_ERROR;

	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (*p >= 0xD0 && *p <= 0xD3)
			chain = strstr(s, "\xd1\x96") || strstr(s, "\xd1\x97") || strstr(s, "\xd1\x94") ||
				strstr(s, "\xd2\x91") ? 2 : 1;
		else if (chain == 0 && (*p == 0xCE || *p == 0xCF || (*p == 0xCD && p[1] >= 0xB0)))
			chain = 3;
	if (cache[chain] == NULL)
	{
		UChar		id[64];

		u_charsToUChars(chains[chain], id, (int32_t) strlen(chains[chain]) + 1);
		cache[chain] = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
	}
	trans = cache[chain];
	u_strFromUTF8(buf, 1024, &len, s, -1, &err);
	limit = len;
	utrans_transUChars(trans, buf, &len, 1024, 0, &limit, &err);
	u_strToUTF8(latin, sizeof latin, NULL, buf, len, &err);
	return U_SUCCESS(err) ? norm(latin) : NULL;
}

UNIT_TEST(normalize_fast_paths_agree_with_icu)
{
	const char *names[] = {
		"Société Générale S.A.", "Nguyễn Hoàng Công ty Cổ phần", "Łódź Fabryka Sp. z o.o.",
		"Ærø Øresund A/S", "Þórsson ehf.", "Crème Brûlée — “Pâtisserie” SARL", "Ştefan Ţară S.R.L.",
		"ПАО «СИБИРЬ БАНК СЕВЕР»", "Объединённая компания", "ПрАТ «Київстар»", "Яндекс", "Τράπεζα Πειραιώς Α.Ε.", "Ελληνικά Πετρέλαια",
		"東京電力株式会社", "新世纪集团有限责任公司", "ABC中国银行", "中国ABC", "1中国", "A.B中国", "«中国»",
		"トヨタ自動車株式会社", "ソニーグループ", "삼성전자 주식회사", "ＳＯＮＹ　株式会社", "Ｆｏｏ（株）",
		"שטראוס גרופ", "مجموعة الفطيم", "บริษัท ปูนซิเมนต์ไทย จำกัด", "टाटा मोटर्स लिमिटेड"
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		char	   *ours = norm(names[i]);
		char	   *icu = norm_by_whole_string_icu(names[i]);

		CHECK(ours != NULL && icu != NULL);
		if (ours && icu && strcmp(ours, icu) != 0)
			CHECK_STR(ours, icu);
	}
}

UNIT_TEST(normalize_reads_han_by_character)
{
	/* Han-Latin alone reads 重庆 as the phrase "chong qing"; character by
	 * character, 重 keeps its reading "zhong" wherever it stands */
	CHECK_STR(norm("重庆钢铁"), "zhong qing gang tie");
	CHECK_STR(norm("重工"), "zhong gong");
	CHECK_STR(norm("ABC中国"), "abc zhong guo");	/* a space after a letter */
	CHECK_STR(norm("1中"), "1zhong");			/* none after a digit, as Han-Latin */
	CHECK_STR(norm("中国ABC"), "zhong guoabc");
}

UNIT_TEST(normalize_is_idempotent)
{
	const char *names[] = {"Société Générale S.A.", "I.B.M. Corp.", "ООО «Газпром»", "Foo GmbH & Co. KG",
	"The The Co", "a.b.c.d.e", "東京電力株式会社"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	{
		char	   *once = norm(names[i]);

		CHECK(once != NULL);
		if (once)
			CHECK_STR(norm(once), once);
	}
}

UNIT_TEST(normalize_rejects_bad_input)
{
	char	   *out = NULL;
	char	   *big;

	CHECK(company_normalize("\xff\xfe", 2, &out) == COMPANY_INVALID_UTF8 && out == NULL);
	CHECK(company_normalize("\xc3", 1, &out) == COMPANY_INVALID_UTF8);			/* truncated */
	CHECK(company_normalize("\xc0\xaf", 2, &out) == COMPANY_INVALID_UTF8);		/* overlong */
	CHECK(company_normalize("\xed\xa0\x80", 3, &out) == COMPANY_INVALID_UTF8);	/* surrogate */
	big = malloc(COMPANY_MAX_BYTES + 2);
	memset(big, 'a', COMPANY_MAX_BYTES + 1);
	big[COMPANY_MAX_BYTES + 1] = '\0';
	CHECK(company_normalize(big, COMPANY_MAX_BYTES + 1, &out) == COMPANY_TOO_LONG);
	CHECK(company_normalize(big, COMPANY_MAX_BYTES, &out) == COMPANY_OK);
	free(out);
	free(big);
}

UNIT_TEST(similarity_properties)
{
	CHECK(sim("Société Générale S.A.", "SOCIETE GENERALE") == 1.0f);
	CHECK(sim("Acme Group", "Acme Holdings") > sim("Acme Group", "Beta Group"));
	CHECK(sim("IBM", "International Business Machines") >= 0.85f);
	CHECK(sim("Bank of America", "BofA") < 0.5f || sim("Bank of America", "BOA") >= 0.85f);
	CHECK(sim("Societe Generale", "Societe Generalle") >= 0.85f);		/* one typo */
	CHECK(sim("Deutsche Telekom", "Deutsche Telecom") >= 0.85f);
	CHECK(sim("Microsoft", "Micro Soft") >= 0.95f);
	CHECK(sim("Acme", "Apex") < 0.5f);
	CHECK(sim("Siemens", "Samsung") < 0.5f);
	CHECK(sim("Orange", "Orange Business Services") < 0.85f);
	CHECK(sim("General Motors", "General Mills") < 0.8f);
	/* symmetric */
	CHECK(sim("IBM France", "International Business Machines France") ==
		  sim("International Business Machines France", "IBM France"));
	CHECK(sim("Acme Group", "Acme Holdings") == sim("Acme Holdings", "Acme Group"));
	/* in range */
	CHECK(sim("", "") == 1.0f);
	CHECK(sim("a", "b") >= 0.0f && sim("a", "b") < 1.0f);
}

static bool share_key(const char *a, const char *b);

UNIT_TEST(similarity_endings_and_acronyms)
{
	/* a different last letter is a different ending, not a typo */
	CHECK(sim("Solaria", "Solaris") < 0.5f);
	CHECK(sim("Greenland Holdings", "Greenlane Holdings") < 0.85f);
	CHECK(sim("Mondi", "Mondo") < 0.5f);
	CHECK(sim("Carrefour", "Carrefuor") >= 0.85f);		/* a swap at the end still is */
	CHECK(sim("Rosneft", "Roseneft") >= 0.85f);
	/* connectives of other languages skipped by initials */
	CHECK(sim("MOG", "Magyar Olaj és Gázipari") >= 0.85f);
	CHECK(sim("SVT", "Sveriges och Vasteras Tidning") >= 0.85f);
	/* a trade or holding word ending the name goes with the acronym's run */
	CHECK(sim("ANZ", "Australia and New Zealand Banking Group") >= 0.85f);
	CHECK(sim("ANZ", "Australia and New Zealand Banking Group Zeta") < 0.85f);
	/* a letter counted */
	CHECK(sim("3M", "Minnesota Mining and Manufacturing") >= 0.85f);
	CHECK(sim("3M", "Minnesota Mining") < 0.85f);
	CHECK(share_key("3m", "minnesota mining and manufacturing"));
	CHECK(share_key("anz", "australia and new zealand banking group"));
	CHECK(share_key("mog", "magyar olaj es gazipari"));
}

UNIT_TEST(similarity_compound_acronyms_and_fold_false_friends)
{
	company_match_kind kind;

	/* the initials of a compound's parts: at an English word, or between two consonants */
	CHECK(sim("GSK", "GlaxoSmithKline") >= 0.85f);
	CHECK(sim("SKF", "Svenska Kullagerfabriken AB") >= 0.85f);
	CHECK(sim("NSW", "Nordstahlwerke") >= 0.85f);
	CHECK(sim("OTP", "Orsz\xc3\xa1gos Takar\xc3\xa9kp\xc3\xa9nzt\xc3\xa1r") >= 0.85f);
	company_similarity_normalized("nsw", "nordstahlwerke", &kind);
	CHECK(kind == COMPANY_MATCH_ACRONYM);
	/* the whole name is spelled: another distinctive word is left out of nothing */
	CHECK(sim("NSW", "Nordstahlwerke Kovacic") < 0.85f);
	/* a part starts with a consonant, after three letters and before four */
	CHECK(sim("NAW", "Nordstahlwerke") < 0.85f);
	CHECK(sim("NOS", "Nordstahl") < 0.85f);
	/* three letters from syllables: of a two-word name only */
	CHECK(sim("TEM", "Telemedia Marche") >= 0.85f);
	CHECK(sim("TEM", "Telemedia Marche Nord") < 0.85f);
	/* one letter the fold hides, in a name's only distinctive word of eight letters or fewer */
	CHECK(sim("Acer", "Aker") < 0.5f);
	CHECK(sim("Nidec Corporation", "Nidek Co., Ltd.") < 0.5f);
	CHECK(sim("Acer Group", "Aker Group") < 0.85f);
	CHECK(sim("Maaden", "Madden") < 0.85f);
	CHECK(sim("Maaden", "Madden") > 0.8f);			/* the typo it is as written */
	/* but a word-initial c/k, a long word, or a name of two distinctive words stay one */
	CHECK(sim("Kodak", "Codak") >= 0.85f);
	CHECK(sim("Rostelecom", "Rostelekom") >= 0.85f);
	CHECK(sim("Acme Vantor", "Akme Vantor") >= 0.85f);
	CHECK(sim("Sony", "Soni") >= 0.85f);
	/* no typo in a short name with its trade written on */
	CHECK(sim("Nedbank", "NetBank") < 0.85f);
	CHECK(sim("Swedbank", "Swedbnak") >= 0.85f);
	/* symmetric */
	CHECK(sim("GSK", "GlaxoSmithKline") == sim("GlaxoSmithKline", "GSK"));
	CHECK(sim("Maaden", "Madden") == sim("Madden", "Maaden"));
	/* a name built to make the search long ends within its budget */
	CHECK(sim("bbbbb", "babababababababababababababababababababababababababababab") < 0.85f);
}

UNIT_TEST(similarity_written_swaps_last_letters_and_form_initials)
{
	/* two neighbours swapped as written, where the fold hides the swap (ts -> k) */
	CHECK(sim("Kavitsu", "Kavistu") >= 0.85f);
	CHECK(sim("Dorvantis", "Dorvantsi") >= 0.85f);
	CHECK(sim("Meridian Chemical", "Meridian Chemcial") >= 0.85f);
	/* but not in a word of five letters: short brands swap into other brands */
	CHECK(sim("Toews", "Towe's") < 0.85f);
	/* a last letter the fold swallows (sh -> s) makes another short brand */
	CHECK(sim("Vars", "Varsh") < 0.85f);
	CHECK(sim("Vars Ltd", "Varsh GmbH") < 0.85f);
	/* not a doubled last letter (a slip), nor in a longer name */
	CHECK(sim("Quib", "Quibb") >= 0.85f);
	CHECK(sim("Sheremetyevo", "Sheremetyevoh") >= 0.85f);
	/* an acronym ending in the dropped form's initials, after initials only */
	CHECK(sim("KMPSA", "Kestrel Minera del Plata S.A.") >= 0.85f);
	CHECK(sim("TVPAO", "Toprak Vadi Petrolleri A.O.") >= 0.85f);
	CHECK(sim("Veraxsa", "Verax Unibank") < 0.85f);
	/* symmetric */
	CHECK(sim("Kavitsu", "Kavistu") == sim("Kavistu", "Kavitsu"));
	CHECK(sim("Vars", "Varsh") == sim("Varsh", "Vars"));
}

UNIT_TEST(similarity_trade_against_holding_and_vowel_friends)
{
	/* a company and its business in a trade: a trade word against nothing or a holding word */
	CHECK(sim("Mercedes-Benz Group", "Mercedes-Benz Bank") < 0.85f);
	CHECK(sim("Mercedes-Benz", "Mercedes-Benz Bank") < 0.85f);
	CHECK(sim("Valtor Kessing", "Valtor Kessing Insurance") < 0.85f);
	CHECK(sim("Valtor Kessing Holdings", "Valtor Kessing Logistics") < 0.85f);
	CHECK(sim("Siemens", "Siemens Energy") < 0.8f);
	CHECK(sim("Valtor Kessing Airlines", "Valtor Kessing Mining") < 0.8f);
	/* services and solutions name no trade */
	CHECK(sim("Valtor Consultancy Services", "Valtor Consultancy") >= 0.85f);
	CHECK(sim("Valtor Kessing Svcs", "Valtor Kessing Group") >= 0.85f);
	/* a holding word alone, a trade word paired or opening the name: one company */
	CHECK(sim("Swatch Group", "Swatch") >= 0.85f);
	CHECK(sim("Valtor Kessing Optik", "Valtor Kessing Optics") >= 0.85f);
	CHECK(sim("Banco Santander Totta", "Santander Totta") >= 0.85f);
	/* short names a vowel apart are two names; a longer word's vowel is a variant */
	CHECK(sim("Sunoco", "Sonoco") < 0.8f);
	CHECK(sim("Vantoro", "Ventoro") < 0.85f);
	CHECK(sim("Clariant", "Clarient") >= 0.85f);
	CHECK(sim("Vantoro Kessing", "Ventoro Kessing") >= 0.85f);	/* not the whole distinctive part */
	CHECK(sim("Vantoro", "Vantaro") == sim("Vantaro", "Vantoro"));
	/* Greek vowel pairs: the letters' and the sound's spellings meet */
	CHECK(sim("Mytilinaios", "Mytilineos") >= 0.85f);
	CHECK(sim("\xce\xa4\xcf\x81\xce\xac\xcf\x80\xce\xb5\xce\xb6\xce\xb1 \xce\xa0\xce\xb5\xce\xb9\xcf\x81\xce\xb1\xce\xb9\xcf\x8e\xcf\x82",
			  "Trapeza Pireos") >= 0.85f);
	/* Romanian S.C. before the name */
	CHECK(sim("S.C. Valtor Kessing S.A.", "Valtor Kessing") >= 0.85f);
}

UNIT_TEST(similarity_kinds)
{
	company_match_kind kind;

	company_similarity_normalized("ibm", "international business machines", &kind);
	CHECK(kind == COMPANY_MATCH_ACRONYM);
	company_similarity_normalized("societe generale", "societe generalle", &kind);
	CHECK(kind == COMPANY_MATCH_FUZZY);
	company_similarity_normalized("acme", "acme", &kind);
	CHECK(kind == COMPANY_MATCH_EXACT);
}

/*
 * One name prepared and compared with many, as the registration trigger
 * does, scores each exactly as the two-name call, in both directions.
 */
UNIT_TEST(similarity_prepared_equals_plain)
{
	static const char *const names[] = {
		"ibm", "international business machines", "ibm france", "societe generale",
		"societe generalle", "acme group", "acme holdings", "beta group", "micro soft",
		"microsoft", "bank of america", "boa", "deutsche telekom", "deutsche telecom",
		"general motors", "general mills", "procter and gamble", "pandg", "3m", "3 m", "",
		"hewlett packard enterprise", "hpe", "international business machines corporation"
	};
	int			n = (int) (sizeof(names) / sizeof(names[0]));

	for (int i = 0; i < n; i++)
	{
		company_name *p = company_name_prepare(names[i]);

		CHECK(p != NULL);
		for (int j = 0; j < n; j++)
		{
			company_match_kind plain_kind = COMPANY_MATCH_NONE,
						prepared_kind = COMPANY_MATCH_NONE;
			float		plain = company_similarity_normalized(names[i], names[j], &plain_kind);
			float		prepared = company_similarity_prepared(p, names[j], &prepared_kind);

			CHECK(prepared == plain);
			CHECK(prepared_kind == plain_kind);
			CHECK(prepared == company_similarity_normalized(names[j], names[i], NULL));
		}
		company_name_free(p);
	}
}

/* Some key of a meets some key of b (what the &&~ operator asks). */
static bool
share_key(const char *a, const char *b)
{
	char	  **ka,
			  **kb;
	int			na,
				nb;
	bool		found = false;

	CHECK(company_match_keys(a, &ka, &na) == COMPANY_OK);
	CHECK(company_match_keys(b, &kb, &nb) == COMPANY_OK);
	for (int i = 0; i < na && !found; i++)
		for (int j = 0; j < nb && !found; j++)
			found = company_keys_meet(ka[i], strlen(ka[i]), kb[j], strlen(kb[j]));
	free(ka);
	free(kb);
	return found;
}

UNIT_TEST(matching_names_share_a_blocking_key)
{
	CHECK(share_key("societe generale", "societe generale"));
	CHECK(share_key("societe generale", "societe generalle"));
	CHECK(share_key("nokia", "nokai"));			/* transposition in a short token */
	CHECK(share_key("siemens", "seimens"));
	CHECK(share_key("siemen", "siemens"));
	CHECK(share_key("ibm", "international business machines"));
	CHECK(share_key("boa", "bank of america"));
	CHECK(!share_key("hp", "hewlett packard"));		/* two initials make no key */
	CHECK(share_key("global systems", "global systems"));
	CHECK(!share_key("acme", "zenith"));
}

UNIT_TEST(typos_across_key_lengths_share_a_key)
{
	CHECK(share_key("generale", "generle"));		/* 8 vs 7 letters */
	CHECK(share_key("generale", "generalle"));		/* 8 vs 9 */
	CHECK(share_key("telekom", "telecom"));		/* 7, substitution */
	CHECK(share_key("carrefour", "carrefuor"));	/* transposition at the end */
	CHECK(share_key("carrefour", "crarefour"));	/* transposition at the start */
	CHECK(share_key("generale", "genreale"));		/* transposition in the middle */
	CHECK(share_key("carrefour", "carrfeuor"));		/* two typos after the first four */
	CHECK(share_key("microsoft", "micro soft"));	/* spacing only */
	CHECK(share_key("hua wei", "huawei"));
}

static bool
meet(const char *a, const char *b)
{
	bool		ab = company_keys_meet(a, strlen(a), b, strlen(b));

	CHECK(ab == company_keys_meet(b, strlen(b), a, strlen(a)));	/* symmetric */
	return ab;
}

UNIT_TEST(word_keys_meet_within_one_typo)
{
	CHECK(meet("w:siemens", "w:siemens"));
	CHECK(meet("w:siemens", "w:siemans"));		/* replaced */
	CHECK(meet("w:siemens", "w:siemenss"));		/* inserted */
	CHECK(meet("w:siemens", "w:iemens"));		/* dropped, first */
	CHECK(meet("w:siemens", "w:siemen"));		/* dropped, last */
	CHECK(meet("w:siemens", "w:isemens"));		/* swapped */
	CHECK(meet("US|NET|r:snemeis", "US|NET|r:snemies"));
	CHECK(!meet("w:siemens", "w:semans"));		/* two typos */
	CHECK(!meet("w:siemens", "w:siemensag"));
	CHECK(!meet("w:abcde", "w:bcdea"));		/* a letter moved far is two typos */
	CHECK(!meet("US|NET|w:siemens", "DE|NET|w:siemens"));	/* other country */
	CHECK(!meet("w:siemens", "r:siemens"));		/* other form */
	CHECK(!meet("d:acme", "d:acne"));			/* other kinds must be equal */
	CHECK(meet("d:acme", "d:acme"));
	CHECK(meet("US|NET|k:acme", "US|NET|k:acme"));
}

UNIT_TEST(acronyms_meet_initials_but_initials_not_each_other)
{
	CHECK(meet("a:ibm", "i:ibm"));
	CHECK(meet("US|NET|a:ibm", "US|NET|i:ibm"));
	CHECK(!meet("US|NET|a:ibm", "DE|NET|i:ibm"));
	CHECK(!meet("a:ibm", "i:ibx"));
	CHECK(meet("a:ge", "a:ge"));
	CHECK(!meet("i:mnp", "i:mnp"));
	/* same initials, different words: no acronym, no key met */
	CHECK(!share_key("mihalar norulgar pharma", "mitor nelka pharma"));
	CHECK(share_key("mnp pharma", "mihalar norulgar pharma"));
}

UNIT_TEST(probe_prefix_is_the_head_and_half_the_word)
{
	CHECK(company_key_probe_len("w:nokia", 7) == 4);			/* "w:no" */
	CHECK(company_key_probe_len("US|NET|r:snemeis", 16) == 12);	/* "US|NET|r:sne" */
	CHECK(company_key_probe_len("US|NET|k:siemens", 16) == 16);	/* other kinds: exact */
	CHECK(company_key_probe_len("w:", 2) == 2);
	CHECK(company_key_probe_len("siemens", 7) == 7);			/* no kind */
}

static void
reverse_into(char *out, const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = word[len - 1 - i];
	out[len] = '\0';
}

/*
 * word and other within one typo: other's "w:" key starts with the probe
 * prefix of word's "w:" key, or its "r:" key with that of word's "r:" key
 * -- the two ranges the GIN operator class scans find every neighbour.
 */
static bool
in_probe_range(const char *word, const char *other)
{
	char		wk[96],
				ok[96],
				rev[64];
	size_t		p;

	snprintf(wk, sizeof wk, "CC|LINE|w:%s", word);
	snprintf(ok, sizeof ok, "CC|LINE|w:%s", other);
	p = company_key_probe_len(wk, strlen(wk));
	if (p < strlen(wk) && strncmp(wk, ok, p) == 0)
		return true;
	reverse_into(rev, word, strlen(word));
	snprintf(wk, sizeof wk, "CC|LINE|r:%s", rev);
	reverse_into(rev, other, strlen(other));
	snprintf(ok, sizeof ok, "CC|LINE|r:%s", rev);
	p = company_key_probe_len(wk, strlen(wk));
	return p < strlen(wk) && strncmp(wk, ok, p) == 0;
}

/* Every one-typo variant of each word, each way round, is in a probe range. */
UNIT_TEST(probe_ranges_hold_every_one_typo_neighbour)
{
	static const char *const words[] = {"nokia", "abcde", "siemens", "generale", "carrefour",
	"aaaaaaaaa", "telefonica", "deutschetelekom", "mitsubishielectric"};
	int			checked = 0;

	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
	{
		const char *word = words[w];
		size_t		n = strlen(word);
		char		v[64];

		for (size_t i = 0; i <= n; i++)
			for (char c = 'a'; c <= 'z'; c++)
			{
				/* inserted before i */
				memcpy(v, word, i);
				v[i] = c;
				strcpy(v + i + 1, word + i);
				CHECK(in_probe_range(word, v) && in_probe_range(v, word));
				checked++;
				if (i == n)
					continue;
				/* replaced at i */
				strcpy(v, word);
				v[i] = c;
				CHECK(in_probe_range(word, v) && in_probe_range(v, word));
				checked++;
			}
		for (size_t i = 0; i < n; i++)
		{
			/* dropped at i */
			memcpy(v, word, i);
			strcpy(v + i, word + i + 1);
			CHECK(in_probe_range(word, v) && in_probe_range(v, word));
			/* i and i + 1 swapped */
			if (i + 1 < n)
			{
				strcpy(v, word);
				v[i] = word[i + 1];
				v[i + 1] = word[i];
				CHECK(in_probe_range(word, v) && in_probe_range(v, word));
			}
			checked += 2;
		}
	}
	CHECK(checked == 4878);		/* 54 n + 26 variants of each n-letter word */
}

/*
 * Business words and connectives make no keys beside a distinctive word:
 * they cannot carry a match, and would find every company of the trade.
 */
UNIT_TEST(business_words_make_no_keys_beside_distinctive_ones)
{
	CHECK(!share_key("acme steel", "zenith steel"));
	CHECK(!share_key("acme foods group", "zenith foods group"));
	CHECK(!share_key("banco de acme", "banco de zenith"));
	CHECK(share_key("global systems", "global systemz"));	/* nothing else: they key */
	CHECK(share_key("acme steel", "acme steels"));
}

/*
 * The strings within one typo of word over {a, b, c}, listed by making
 * every typo (the reference the linear check is compared with).
 */
static int
one_typo_variants(const char *word, char out[][9])
{
	int			n = (int) strlen(word);
	int			count = 0;

	strcpy(out[count++], word);
	for (int i = 0; i <= n; i++)
		for (char c = 'a'; c <= 'c'; c++)
		{
			/* c inserted before i */
			memcpy(out[count], word, i);
			out[count][i] = c;
			strcpy(out[count] + i + 1, word + i);
			count++;
			if (i == n)
				continue;
			/* letter i replaced by c */
			strcpy(out[count], word);
			out[count][i] = c;
			count++;
		}
	for (int i = 0; i < n; i++)
	{
		/* letter i dropped */
		memcpy(out[count], word, i);
		strcpy(out[count] + i, word + i + 1);
		count++;
		/* letters i and i + 1 swapped */
		if (i + 1 < n)
		{
			strcpy(out[count], word);
			out[count][i] = word[i + 1];
			out[count][i + 1] = word[i];
			count++;
		}
	}
	return count;
}

/* The linear one-typo check agrees with the list of typos on every pair of short strings over {a, b, c}. */
UNIT_TEST(one_typo_check_agrees_with_every_typo_made)
{
	static char words[1100][8];
	static char variants[64][9];
	int			n = 0;

	/* every string over {a, b, c} of up to 6 letters */
	for (int len = 0; len <= 6; len++)
	{
		int			count = 1;

		for (int i = 0; i < len; i++)
			count *= 3;
		for (int code = 0; code < count; code++)
		{
			int			c = code;

			for (int i = 0; i < len; i++, c /= 3)
				words[n][i] = (char) ('a' + c % 3);
			words[n][len] = '\0';
			n++;
		}
	}
	for (int i = 0; i < n; i++)
	{
		int			nv = one_typo_variants(words[i], variants);

		for (int j = 0; j < n; j++)
		{
			bool		listed = false;

			for (int v = 0; v < nv && !listed; v++)
				listed = strcmp(variants[v], words[j]) == 0;
			if (company_within_one_typo(words[i], strlen(words[i]), words[j], strlen(words[j])) != listed)
			{
				fprintf(stderr, "  \"%s\" / \"%s\"\n", words[i], words[j]);
				CHECK(false);
				return;
			}
		}
	}
	CHECK(n == 1093);
}

UNIT_TEST(word_key_forms_are_one_key)
{
	char		a[600],
				b[600],
				ra[300],
				rb[300];
	const char *words[] = {"", "a", "b", "ab", "ba", "abc", "acb", "bcde", "abcde", "abdce", "aabb", "abab", "bbaa"};
	size_t		nwords = sizeof(words) / sizeof(words[0]);

	CHECK(meet("w:siemens", "r:snemeis"));		/* the same word in its two forms */
	CHECK(meet("w:siemens", "r:snemies"));		/* and one typo apart */
	CHECK(meet("w:bcde", "r:edcba"));			/* the first letter dropped */
	CHECK(meet("US|NET|w:siemens", "US|NET|r:snemeis"));
	CHECK(!meet("US|NET|w:siemens", "DE|NET|r:snemeis"));
	CHECK(!meet("w:siemens", "r:siemens"));
	CHECK(meet("w:", "w:a"));					/* an empty word and a one-letter one */
	CHECK(meet("w:", "r:"));
	CHECK(!meet("w:", "r:ab"));
	/* every pair of small words: w:x meets r:(y reversed) exactly when x and y are one typo apart */
	for (size_t i = 0; i < nwords; i++)
		for (size_t j = 0; j < nwords; j++)
		{
			bool		typo = company_within_one_typo(words[i], strlen(words[i]), words[j], strlen(words[j]));

			snprintf(a, sizeof(a), "w:%s", words[i]);
			reverse_into(rb, words[j], strlen(words[j]));
			snprintf(b, sizeof(b), "r:%s", rb);
			CHECK(meet(a, b) == typo);
			reverse_into(ra, words[i], strlen(words[i]));
			snprintf(a, sizeof(a), "r:%s", ra);
			CHECK(meet(a, b) == typo);
		}
	/* a probe of an empty word is the whole range of its kind */
	CHECK(company_key_probe_len("w:", 2) == 2);
	CHECK(company_key_probe_len("US|NET|r:", 9) == 9);
}

UNIT_TEST(expanding_compatibility_characters_are_bounded)
{
	/* U+FDFA spells out to 18 characters under NFKC */
	size_t		n = COMPANY_MAX_BYTES / 3;
	char	   *s = malloc(n * 3 + 1);
	char	   *out = NULL;
	float		score = -1;
	clock_t		t0;

	for (size_t i = 0; i < n; i++)
		memcpy(s + 3 * i, "\xef\xb7\xba", 3);
	s[n * 3] = '\0';
	t0 = clock();
	CHECK(company_normalize(s, n * 3, &out) == COMPANY_TOO_LONG_FOLDED);
	CHECK(out == NULL);
	CHECK(company_similarity(s, n * 3, "Acme", 4, &score, NULL) == COMPANY_TOO_LONG_FOLDED);
	/* refused from the NFKC form, before the costly transliteration */
	CHECK((double) (clock() - t0) / CLOCKS_PER_SEC < 0.5);
	/* up to the bound it is read: 3,640 of them are 65,520 code units */
	CHECK(company_normalize(s, 3640 * 3, &out) == COMPANY_OK);
	CHECK(out != NULL && strncmp(out, "sly allh", 8) == 0);
	free(out);
	CHECK(company_normalize(s, 3641 * 3, &out) == COMPANY_TOO_LONG_FOLDED);
	/* one such character in a name is no problem */
	CHECK_STR(norm("Acme \xef\xb7\xba"), "acme sly allh lyh wslm");
	free(s);
	CHECK(strstr(company_status_text(COMPANY_TOO_LONG_FOLDED), "NFKC") != NULL);
}

UNIT_TEST(legal_forms_written_other_ways)
{
	/* transliterated post-Soviet forms, before or after the name, in any quotes */
	CHECK_STR(norm("PJSC Volgatransgaz"), "volgatransgaz");
	CHECK_STR(norm("\xd0\x9f\xd0\x90\xd0\x9e \xc2\xab\xd0\x92\xd0\xbe\xd0\xbb\xd0\xb3\xd0\xb0\xd1\x82\xd1\x80\xd0\xb0\xd0\xbd\xd1\x81\xd0\xb3\xd0\xb0\xd0\xb7\xc2\xbb"),
			  "volgatransgaz");	/* ПАО «Волгатрансгаз» */
	CHECK_STR(norm("Volgatransgaz OJSC"), "volgatransgaz");
	CHECK_STR(norm("\xd0\x9e\xd0\x9e\xd0\x9e \xc2\xab\xd0\xa1\xd0\xb5\xd0\xb2\xd0\xb5\xd1\x80\xd0\xbe\xd0\xbb\xd0\xb5\xd1\x81\xc2\xbb"),
			  "severoles");		/* ООО «Северолес» */
	CHECK_STR(norm("TOO Kcell"), "kcell");
	CHECK_STR(norm("PrJSC Kyivstar"), "kyivstar");
	CHECK_STR(norm("PT Karya Abadi"), "karya abadi");
	CHECK_STR(norm("PT Telkom Indonesia (Persero) Tbk"), "telkom indonesia");
	/* spelled out, of several jurisdictions */
	CHECK_STR(norm("Arcelik Anonim Sirketi"), "arcelik");
	CHECK_STR(norm("Orlen Sp\xc3\xb3\xc5\x82ka Akcyjna"), "orlen");
	CHECK_STR(norm("Allegro Sp\xc3\xb3\xc5\x82ka z ograniczon\xc4\x85 odpowiedzialno\xc5\x9b\x63i\xc4\x85"), "allegro");
	CHECK_STR(norm("Skoda Auto akciov\xc3\xa1 spole\xc4\x8dnost"), "skoda auto");
	CHECK_STR(norm("Heineken Naamloze Vennootschap"), "heineken");
	CHECK_STR(norm("Alsea Sociedad An\xc3\xb3nima de Capital Variable"), "alsea");
	CHECK_STR(norm("Kabushiki Kaisha Toshiba"), "toshiba");
	/* Japanese: the form read as Japanese, a word boundary before the katakana brand */
	CHECK_STR(norm("\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe\xe3\x83\x8b\xe3\x82\xb3\xe3\x83\xb3"), "nikon");	/* 株式会社ニコン */
	CHECK_STR(norm("\xe3\x83\x8b\xe3\x82\xb3\xe3\x83\xb3\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe"), "nikon");	/* ニコン株式会社 */
	CHECK_STR(norm("\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe"), "kabushiki kaisha");	/* a form alone is the name */
	/* the article last, as sorted lists write it; quotes of every kind */
	CHECK_STR(norm("Hartwell Co., The"), "hartwell");
	CHECK_STR(norm("Boeing Company, The"), "boeing");
	CHECK_STR(norm("\xe2\x80\x9e" "Polsat\" Sp. z o.o."), "polsat");
	CHECK_STR(norm("\xe3\x80\x8c\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc\xe3\x80\x8d"), norm("\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc"));	/* 「ソニー」 */
	/* letters of "X & Y" are the name, not a form before it; single letters join */
	CHECK_STR(norm("AT&T Inc."), "at and t");
	CHECK_STR(norm("I B M"), "ibm");
	CHECK_STR(norm("J P Morgan"), "jp morgan");
}

UNIT_TEST(spelling_fold_is_idempotent_and_joins_schemes)
{
	const char *groups[][4] = {
		{"kuzbassenergo", "kuzbasenergo", NULL},
		{"lukoil", "lukojl", NULL},
		{"yandex", "jandeks", "iandeks", NULL},
		{"shchekinoazot", "schekinoazot", NULL},
		{"khimprom", "himprom", NULL},
		{"zhiguli", "ziguli", NULL},
		{"sheremetyevo", "sheremetjevo", NULL},
		{"uralkaliy", "uralkalij", "uralkali", NULL},
		{"schaefer", "schafer", NULL},
		{"hoejgaard", "hojgaard", NULL},
		{"aalborg", "alborg", NULL},
		{"strassenbau", "strasenbau", NULL},
		{"philips", "filips", NULL},
		{"organisation", "organization", NULL},
		{"kellogg", "kelogg", NULL},
		{"tsentrtelekom", "centrtelecom", NULL},
		{"masoutis", "masutis", NULL},
		/* Greek vowel pairs as spoken, in words long once folded */
		{"mytilinaios", "mytilineos", "mitilineos", NULL},
		{"peiraios", "pireos", NULL},
		{"koinonikos", "kinonikos", NULL},
		/* a short word keeps its pairs, also when the fold lengthens it */
		{"meiji", NULL},
		{"maxaine", NULL},
	};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
	{
		char		first[200];

		company_fold_spelling(groups[g][0], strlen(groups[g][0]), first);
		for (int k = 0; k < 4 && groups[g][k] != NULL; k++)
		{
			char		f[200],
						again[400];

			company_fold_spelling(groups[g][k], strlen(groups[g][k]), f);
			company_fold_spelling(f, strlen(f), again);
			CHECK_STR(f, first);
			CHECK_STR(again, f);	/* a fixed point */
		}
	}
	{
		char		f[200];

		company_fold_spelling("3m", 2, f);	/* tokens with digits as they are */
		CHECK_STR(f, "3m");
	}
	{
		char		f[200];

		char		g[200];

		/* short words keep their vowel pairs: "Meiji" is not "Miji", "Seiko" not "Siko" */
		company_fold_spelling("meiji", 5, f);
		company_fold_spelling("miji", 4, g);
		CHECK(strcmp(f, g) != 0);
		company_fold_spelling("seiko", 5, f);
		company_fold_spelling("siko", 4, g);
		CHECK(strcmp(f, g) != 0);
	}
	CHECK_STR(company_word_canonical("hldgs"), "holdings");
	CHECK_STR(company_word_canonical("optik"), "optics");
	CHECK_STR(company_word_canonical("sistemas"), "systems");
	CHECK_STR(company_word_canonical("acme"), "acme");
	CHECK(company_is_english_word("printing") && company_is_english_word("painting"));
	CHECK(!company_is_english_word("siemens"));
}

UNIT_TEST(real_world_variants_match)
{
	/* abbreviations, trade words of other languages, transliteration schemes */
	CHECK(sim("Kestrel Tech", "Kestrel Technologies") >= 0.85f);
	CHECK(sim("Marlin Intl Hldgs", "Marlin International Holdings") >= 0.85f);
	CHECK(sim("Alderbank Finl Svcs", "Alderbank Financial Services") >= 0.85f);
	CHECK(sim("Kestrel Optik GmbH", "Kestrel Optics GmbH") >= 0.85f);
	CHECK(sim("Bosch Systeme", "Bosch Sistemas") >= 0.85f);
	CHECK(sim("Kuzbassenergo", "Kuzbasenergo") >= 0.85f);
	CHECK(sim("PJSC Volgatransgaz", "\xd0\x9f\xd0\x90\xd0\x9e \xc2\xab\xd0\x92\xd0\xbe\xd0\xbb\xd0\xb3\xd0\xb0\xd1\x82\xd1\x80\xd0\xb0\xd0\xbd\xd1\x81\xd0\xb3\xd0\xb0\xd0\xb7\xc2\xbb") >= 0.99f);
	CHECK(sim("Sch\xc3\xa4" "fer Werke", "Schaefer Werke") >= 0.85f);
	CHECK(sim("Nestle", "Nestel") >= 0.85f);		/* two neighbours swapped: half a typo */
	/* acronyms: syllables, and a dropped legal form's initial */
	CHECK(sim("KEPCO", "Korea Electric Power Corporation") >= 0.85f);
	CHECK(sim("ADNOC", "Abu Dhabi National Oil Company") >= 0.85f);
	CHECK(share_key("adnoc", "abu dhabi national oil"));
	/* false friends stay apart */
	CHECK(sim("Printing Solutions Ltd", "Painting Solutions Ltd") < 0.85f);
	CHECK(sim("Health Partners", "Wealth Partners") < 0.85f);
	CHECK(sim("Northgate Information Solutions", "Southgate Information Solutions") < 0.85f);
	CHECK(sim("Evergreen Marine", "Evergreen Medical") < 0.85f);
	CHECK(sim("Neste", "Nestle") < 0.85f);
	/* and the fold keeps the measure symmetric */
	CHECK(sim("Jandeks", "Yandex") == sim("Yandex", "Jandeks"));
}
