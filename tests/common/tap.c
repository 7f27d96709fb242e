// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace half of tap.h: points, diagnostics, bail-out and plan on
 * stdout.  Programs that fork flush stdout first (the child's exit would
 * print the buffer twice); line buffering is the caller's choice.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

bool tap_check(struct tap *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	t->run++;
	if (!ok)
		t->failed++;
	printf("%sok %u - ", ok ? "" : "not ", t->run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void tap_bail(struct tap *t, const char *what)
{
	tap_check(t, false, "%s: %s", what, strerror(errno));
	exit(1);
}

int tap_done(const struct tap *t)
{
	printf("1..%u\n", t->run);
	return t->failed ? 1 : 0;
}
