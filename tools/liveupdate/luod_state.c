// SPDX-License-Identifier: GPL-2.0
/*
 * luod's state across a live update.
 *
 * Before reboot(), luod writes what it knows about the outgoing sessions
 * (owner, creator, files and their sizes) and its time stamps into a
 * memfd and preserves it, token LUOD_STATE_TOKEN, in a session of its own
 * named LUOD_STATE_SESSION.  The luod of the next kernel retrieves that
 * session first, rebuilds its table of incoming sessions from it and
 * finishes it.
 *
 * The format, in host byte order: a struct luod_state_hdr, then for each
 * session a struct luod_state_sess followed by its nr_files struct
 * luod_state_file.  "size" is the size of the whole blob.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "luod.h"

#define LUOD_STATE_MAGIC	0x534f554cU	/* "LUOS" */
#define LUOD_STATE_VERSION	1
#define LUOD_STATE_MAX		(64U << 20)

struct luod_state_hdr {
	uint32_t magic;
	uint32_t version;
	uint32_t size;
	uint32_t nr_sessions;
	int64_t request_boot;
	int64_t reboot_boot;
	int64_t reboot_real;
};

struct luod_state_sess {
	char name[LUOD_NAME_MAX + 1];
	uint32_t owner, gid, pid, nr_files;
	char comm[16];
	int64_t created_ns;
};

struct luod_state_file {
	uint64_t token;
	uint64_t size;
};

static size_t luod_state_size(const struct luod_sess *sess, size_t n)
{
	size_t size = sizeof(struct luod_state_hdr), i;

	for (i = 0; i < n; i++) {
		if (sess[i].state != LUOD_S_OUTGOING)
			continue;
		size += sizeof(struct luod_state_sess) +
			sess[i].nr_files * sizeof(struct luod_state_file);
	}
	return size;
}

/* Serialize the outgoing sessions into BUF of SIZE bytes. */
static void luod_state_fill(char *buf, size_t size, const struct luod_sess *sess,
			    size_t n)
{
	struct luod_state_hdr *h = (void *)buf;
	struct luod_state_sess *r;
	struct luod_state_file *f;
	char *p = buf + sizeof(*h);
	size_t i, j;

	*h = (struct luod_state_hdr){
		.magic = LUOD_STATE_MAGIC, .version = LUOD_STATE_VERSION,
		.size = size,
	};
	for (i = 0; i < n; i++) {
		if (sess[i].state != LUOD_S_OUTGOING)
			continue;
		r = (void *)p;
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", sess[i].name);
		r->owner = sess[i].owner;
		r->gid = sess[i].gid;
		r->pid = sess[i].pid;
		r->nr_files = sess[i].nr_files;
		memcpy(r->comm, sess[i].comm, sizeof(r->comm));
		r->created_ns = sess[i].created_ns;
		f = (void *)(r + 1);
		for (j = 0; j < sess[i].nr_files; j++)
			f[j] = (struct luod_state_file){
				sess[i].files[j].token, sess[i].files[j].size,
			};
		p = (char *)(f + sess[i].nr_files);
		h->nr_sessions++;
	}
}

int luod_state_save(int dev, const struct luod_sess *sess, size_t n,
		    int *session, int *memfd)
{
	size_t size = luod_state_size(sess, n);
	char *buf;
	int err;

	*session = *memfd = -1;
	if (size > LUOD_STATE_MAX)
		return -E2BIG;
	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	luod_state_fill(buf, size, sess, n);
	*memfd = memfd_create("luod-state", MFD_CLOEXEC);
	if (*memfd < 0 || ftruncate(*memfd, size) ||
	    pwrite(*memfd, buf, size, 0) != (ssize_t)size) {
		err = -errno;
		goto fail;
	}
	*session = lu_create_session(dev, LUOD_STATE_SESSION);
	if (*session < 0) {
		err = *session;
		goto fail;
	}
	err = lu_preserve_fd(*session, *memfd, LUOD_STATE_TOKEN);
	if (err)
		goto fail;
	free(buf);
	return 0;
fail:
	free(buf);
	luod_state_drop(session, memfd);
	return err ? err : -EIO;
}

int luod_state_stamp(int memfd, const struct luod_stamps *st)
{
	struct luod_state_hdr h;

	if (pread(memfd, &h, sizeof(h), 0) != sizeof(h))
		return -EIO;
	h.request_boot = st->request_boot;
	h.reboot_boot = st->reboot_boot;
	h.reboot_real = st->reboot_real;
	if (pwrite(memfd, &h, sizeof(h), 0) != sizeof(h))
		return -EIO;
	return 0;
}

void luod_state_drop(int *session, int *memfd)
{
	if (*session >= 0)
		close(*session);
	if (*memfd >= 0)
		close(*memfd);
	*session = *memfd = -1;
}

/* Check one session record of the state; a reason or NULL. */
static const char *luod_state_bad_sess(const struct luod_state_sess *r,
				       size_t room)
{
	if (!memchr(r->name, '\0', sizeof(r->name)) ||
	    !luod_valid_name(r->name))
		return "bad session name";
	if (r->nr_files > room / sizeof(struct luod_state_file))
		return "more files than bytes";
	return NULL;
}

/* Parse BUF of SIZE bytes into *SESS and *ST; a reason or NULL. */
static const char *luod_state_parse(const char *buf, size_t size,
				    struct luod_sess **sess, size_t *n,
				    struct luod_stamps *st)
{
	const struct luod_state_hdr *h = (const void *)buf;
	const char *p = buf + sizeof(*h), *end = buf + size, *why;
	const struct luod_state_sess *r;
	const struct luod_state_file *f;
	struct luod_sess *s;
	uint32_t i, j;

	if (size < sizeof(*h) || h->magic != LUOD_STATE_MAGIC)
		return "not a luod state";
	if (h->version != LUOD_STATE_VERSION)
		return "unknown state version";
	if (h->size != size)
		return "state size mismatch";
	if (h->nr_sessions > size / sizeof(struct luod_state_sess))
		return "more sessions than bytes";
	*st = (struct luod_stamps){ h->request_boot, h->reboot_boot, h->reboot_real };
	*sess = calloc(h->nr_sessions ? h->nr_sessions : 1, sizeof(**sess));
	if (!*sess)
		return "out of memory";
	for (i = 0; i < h->nr_sessions; i++) {
		r = (const void *)p;
		if ((size_t)(end - p) < sizeof(*r))
			return "truncated session record";
		why = luod_state_bad_sess(r, end - p - sizeof(*r));
		if (why)
			return why;
		s = &(*sess)[(*n)++];
		snprintf(s->name, sizeof(s->name), "%s", r->name);
		s->owner = r->owner;
		s->gid = r->gid;
		s->pid = r->pid;
		memcpy(s->comm, r->comm, sizeof(s->comm) - 1);
		s->created_ns = r->created_ns;
		s->state = LUOD_S_INCOMING;
		s->fd = -1;
		s->files = calloc(r->nr_files ? r->nr_files : 1, sizeof(*s->files));
		if (!s->files)
			return "out of memory";
		f = (const void *)(r + 1);
		for (j = 0; j < r->nr_files; j++)
			s->files[j] = (struct luod_file_ent){ f[j].token, f[j].size };
		s->nr_files = r->nr_files;
		p = (const char *)(f + r->nr_files);
	}
	return p == end ? NULL : "trailing bytes";
}

/* Read the whole state memfd FD into a new buffer; its size in *SIZE. */
static char *luod_state_read(int fd, size_t *size, int *err)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st)) {
		*err = -errno;
		return NULL;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > LUOD_STATE_MAX) {
		*err = -EFBIG;
		return NULL;
	}
	*size = st.st_size;
	buf = malloc(*size ? *size : 1);
	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	if (pread(fd, buf, *size, 0) != (ssize_t)*size) {
		*err = -EIO;
		free(buf);
		return NULL;
	}
	return buf;
}

static void luod_free_table(struct luod_sess *sess, size_t n)
{
	while (n--)
		free(sess[n].files);
	free(sess);
}

int luod_state_restore(int dev, struct luod_sess **sess, size_t *n,
		       struct luod_stamps *st)
{
	const char *why;
	size_t size = 0;
	int session, fd, err = 0;
	char *buf;

	*sess = NULL;
	*n = 0;
	session = lu_retrieve_session(dev, LUOD_STATE_SESSION);
	if (session < 0)
		return session;
	fd = lu_retrieve_fd(session, LUOD_STATE_TOKEN);
	if (fd < 0) {
		luod_log("state: cannot retrieve the state memfd: %s",
			 lu_strerror(LU_RETRIEVE_FD, fd));
		close(session);
		return fd;
	}
	buf = luod_state_read(fd, &size, &err);
	close(fd);
	lu_finish(session);
	close(session);
	if (!buf) {
		luod_log("state: cannot read it: %s", strerror(-err));
		return err;
	}
	why = luod_state_parse(buf, size, sess, n, st);
	free(buf);
	if (why) {
		luod_log("state: unusable (%s); its sessions cannot be served", why);
		luod_free_table(*sess, *n);
		*sess = NULL;
		*n = 0;
		return -EPROTO;
	}
	return 0;
}
