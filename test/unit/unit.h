/*
 * unit.h -- a tiny self-registering unit test harness for src/core.
 *
 * Each test file defines tests with UNIT_TEST(name) { ... }; a constructor
 * registers them, so adding a file never means editing a central list.
 * CHECK() records a failure and keeps going so one run reports everything.
 */
#ifndef CHANNEL_UNIT_H
#define CHANNEL_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn) (void);
void		unit_register(const char *name, unit_fn fn);
void		unit_fail(const char *file, int line, const char *expr);

#define UNIT_TEST(name) \
	static void name(void); \
	__attribute__((constructor)) static void register_##name(void) \
	{ unit_register(#name, name); } \
	static void name(void)

#define CHECK(expr) \
	do { if (!(expr)) unit_fail(__FILE__, __LINE__, #expr); } while (0)

#define CHECK_STR(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
		 if (g_ == NULL || strcmp(g_, w_) != 0) { \
			 fprintf(stderr, "  got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_); \
			 unit_fail(__FILE__, __LINE__, #got " == " #want); } } while (0)

#endif
