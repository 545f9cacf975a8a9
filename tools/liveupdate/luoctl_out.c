// SPDX-License-Identifier: GPL-2.0
/*
 * luoctl: a minimal JSON writer (one document on stdout) and byte sizes
 * for people.
 */
#include <stdio.h>

#include "luoctl.h"

int out_json;

/* Does the next member of the current object or array need a comma? */
static int json_more[16];
static int json_depth;

static void json_key(const char *key)
{
	if (json_more[json_depth])
		putchar(',');
	json_more[json_depth] = 1;
	if (key)
		printf("\"%s\":", key);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void json_begin(const char *key, char bracket)
{
	json_key(key);
	putchar(bracket);
	if (json_depth < 15)
		json_more[++json_depth] = 0;
}

void json_end(char bracket)
{
	putchar(bracket);
	if (json_depth > 0)
		json_depth--;
}

void json_str(const char *key, const char *val)
{
	json_key(key);
	json_string(val);
}

void json_num(const char *key, long long val)
{
	json_key(key);
	printf("%lld", val);
}

void json_unum(const char *key, uint64_t val)
{
	json_key(key);
	printf("%llu", (unsigned long long)val);
}

void json_bool(const char *key, int val)
{
	json_key(key);
	fputs(val ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	json_key(key);
	fputs("null", stdout);
}

void json_double(const char *key, double val)
{
	json_key(key);
	printf("%.3f", val);
}

void json_done(void)
{
	putchar('\n');
	json_depth = 0;
	json_more[0] = 0;
}

const char *human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
