/*
 * Command-line numbers. strtoull alone accepts "-1" (as 2^64-1), leading
 * blanks and trailing junk; each is rejected here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse_num.h"

static int parse_prefix(const char *s, uint64_t *out, char **end)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, end, 0);
	if (errno || *end == s)
		return -1;
	*out = v;
	return 0;
}

int vibe_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;
	if (parse_prefix(s, &v, &end) < 0 || *end)
		return -1;
	*out = v;
	return 0;
}

int vibe_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;
	unsigned shift = 0;
	if (parse_prefix(s, &v, &end) < 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	else if (!shift && !strcmp(end, "B"))
		end++;
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}
