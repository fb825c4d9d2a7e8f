/*
 * machine_load(): the whole front end in order. Read the file once (its
 * bytes feed libyaml, the sha256 recorded in the generated code and the
 * caret lines of diagnostics), parse, validate, lay out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "diag.h"
#include "front.h"

struct keep {
	char *buf;
	size_t len;
	char *stem;
	struct ynode *root;
};

#define MAX_FILE (16u << 20) /* a machine file is text; anything larger is a mistake */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0 || n > MAX_FILE)
			break;
	}
	int err = ferror(f) ? errno : n > MAX_FILE ? EFBIG : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	char *s = strndup(b, n);
	if (!s)
		abort();
	return s;
}

static void sha256_hex(const char *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		strcpy(out, "unknown");
		return;
	}
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void machine_free(struct machine *m)
{
	struct keep *k = m->priv;
	for (unsigned i = 0; i < m->ndevs; i++)
		free(m->devs[i].props);
	free(m->devs);
	free(m->ram);
	free(m->vcpus);
	if (k) {
		ytree_free(k->root);
		free(k->buf);
		free(k->stem);
		free(k);
	}
	memset(m, 0, sizeof *m);
}

/* The front end proper, on bytes already in memory. Takes ownership of
 * buf (len bytes plus a NUL at buf[len]); machine_free() releases it. */
static int load_bytes(const char *path, char *buf, size_t len, struct machine *m)
{
	struct keep *k = calloc(1, sizeof *k);
	if (!k)
		abort();
	m->priv = k;
	k->buf = buf;
	k->len = len;
	k->stem = file_stem(path);
	m->file = path;
	m->name = k->stem;
	sha256_hex(buf, len, m->sha256);
	diag_begin(path, buf, len);

	k->root = ytree_parse(buf, len);
	if (k->root) {
		struct fe fe = { .m = m };
		validate_machine(&fe, k->root);
		layout_machine(&fe);
		free(fe.ents);
		free(fe.ram_aux);
		free(fe.dev_aux);
		free(fe.dev_nodes);
		free(fe.dev_ent);
	}
	diag_flush();
	return diag_errors();
}

void machine_diag_reopen(const struct machine *m)
{
	const struct keep *k = m->priv;
	diag_begin(m->file, k ? k->buf : NULL, k ? k->len : 0);
}

int machine_load(const char *path, struct machine *m)
{
	size_t len = 0;
	memset(m, 0, sizeof *m);
	diag_begin(path, NULL, 0);
	char *buf = read_file(path, &len);
	if (!buf) {
		diag_error((struct loc){ 0, 0 }, E_IO, "cannot read the machine file: %s", strerror(errno));
		diag_flush();
		return -1;
	}
	return load_bytes(path, buf, len, m);
}

int machine_load_buffer(const char *name, const char *data, size_t len, struct machine *m)
{
	memset(m, 0, sizeof *m);
	/* Copied, and NUL-terminated like read_file's buffer, so the front end
	 * sees exactly what it would see reading a file with these bytes. */
	char *buf = malloc(len + 1);
	if (!buf)
		abort();
	if (len)
		memcpy(buf, data, len);
	buf[len] = 0;
	return load_bytes(name, buf, len, m);
}
