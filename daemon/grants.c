/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/dispatch.h"
#include "daemon/fsid.h"
#include "daemon/grants.h"
#include "daemon/log.h"

struct grant {
	uint64_t time_usec;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char comm[SB_COMM_MAX];
	int family, type, protocol;
	ino_t inode;
	json_object *address;
};

/* A ring: when full, the oldest grant is forgotten (list is advisory). */
struct sb_grants {
	struct grant *ring;
	size_t capacity, head, count;
};

struct sb_grants *sb_grants_new(size_t capacity)
{
	struct sb_grants *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->ring = calloc(capacity, sizeof(*g->ring));
	if (!g->ring) {
		free(g);
		return NULL;
	}
	g->capacity = capacity;
	return g;
}

void sb_grants_free(struct sb_grants *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->count; i++)
		json_object_put(g->ring[(g->head + i) % g->capacity].address);
	free(g->ring);
	free(g);
}

size_t sb_grants_count(const struct sb_grants *g)
{
	return g->count;
}

void sb_grants_add(struct sb_grants *g, const struct sb_client *c, int fd,
		   const struct sb_sockinfo *si, json_object *address)
{
	struct timespec ts;
	struct grant *e;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return;
	if (g->count == g->capacity) {
		json_object_put(g->ring[g->head].address);
		g->head = (g->head + 1) % g->capacity;
		g->count--;
	}
	e = &g->ring[(g->head + g->count++) % g->capacity];
	clock_gettime(CLOCK_REALTIME, &ts);
	*e = (struct grant){
		.time_usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u,
		.pid = c->cred.pid,
		.uid = c->cred.uid,
		.gid = c->cred.gid,
		.family = si->family,
		.type = si->type,
		.protocol = si->protocol,
		.inode = st.st_ino,
		.address = json_object_get(address),
	};
	memcpy(e->comm, c->comm, sizeof(e->comm));
}

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

/* An exiting process (zombie) has closed its descriptors, but its fd
 * directory refuses everyone. */
static bool process_is_zombie(int proc_fd, const char *pid)
{
	char path[64], buf[512];
	_cleanup_close_ int fd = -1;
	const char *paren;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stat", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return false;
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold anything, so use the last ')'. */
	paren = strrchr(buf, ')');
	return paren && (paren[1] == ' ') && (paren[2] == 'Z' || paren[2] == 'X');
}

/* Socket inodes open in one process. /proc/PID/fd needs ptrace-read
 * access: the daemon reads it with the owner's fsuid/fsgid, which the
 * kernel accepts (CAP_SYS_PTRACE is not needed) unless the process holds
 * capabilities the daemon lacks. Returns false when it could not look. */
static bool scan_process(int proc_fd, const char *pid, ino_t **set, size_t *n, size_t *cap)
{
	char path[64], link[64];
	struct stat st;
	DIR *dir;
	int fd;

	if (fstatat(proc_fd, pid, &st, 0) < 0)
		return true; /* gone */
	snprintf(path, sizeof(path), "%s/fd", pid);
	/* Every readlink() is checked too, so keep the identity throughout. */
	if (!sb_fsid_become(st.st_uid, st.st_gid)) {
		(void)sb_fsid_restore();
		return false;
	}
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		/* Only a refusal hides anything, and not from a zombie. */
		bool refused = errno == EACCES || errno == EPERM;

		(void)sb_fsid_restore();
		return !refused || process_is_zombie(proc_fd, pid);
	}
	dir = fdopendir(fd);
	if (!dir) {
		(void)sb_fsid_restore();
		close(fd);
		return false;
	}
	for (struct dirent *de; (de = readdir(dir));) {
		unsigned long long ino;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(dir), de->d_name, link, sizeof(link) - 1);
		if (len < 0 && errno == EACCES) {
			(void)sb_fsid_restore();
			closedir(dir);
			return false;
		}
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "socket:[%llu]", &ino) != 1)
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 1024;
			ino_t *p = realloc(*set, ncap * sizeof(**set));

			if (!p)
				break;
			*set = p;
			*cap = ncap;
		}
		(*set)[(*n)++] = (ino_t)ino;
	}
	(void)sb_fsid_restore();
	closedir(dir);
	return true;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

struct scan_state {
	ino_t *set;
	size_t n, cap;
	pid_t *opaque;
	size_t n_opaque, cap_opaque;
};

static void add_opaque(struct scan_state *st, pid_t pid)
{
	if (st->n_opaque == st->cap_opaque) {
		size_t ncap = st->cap_opaque ? st->cap_opaque * 2 : 64;
		pid_t *p = realloc(st->opaque, ncap * sizeof(*p));

		if (!p)
			return;
		st->opaque = p;
		st->cap_opaque = ncap;
	}
	st->opaque[st->n_opaque++] = pid;
}

/* The identity a scan lists /proc as (uid -1: the daemon's own). */
static bool as_lister(uid_t uid, gid_t gid)
{
	return uid == (uid_t)-1 ? sb_fsid_restore() : sb_fsid_become(uid, gid);
}

/* Scan the processes /proc shows to identity uid/gid (-1: our own). */
static void scan_all(int proc_fd, struct scan_state *st, uid_t uid, gid_t gid)
{
	DIR *dir;

	if (!as_lister(uid, gid)) {
		(void)sb_fsid_restore();
		return;
	}
	dir = fdopendir(openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dir) {
		(void)sb_fsid_restore();
		return;
	}
	for (struct dirent *de; (de = readdir(dir));) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (!as_lister(uid, gid))
			break;
		if (!scan_process(proc_fd, de->d_name, &st->set, &st->n, &st->cap))
			add_opaque(st, (pid_t)atoi(de->d_name));
	}
	(void)sb_fsid_restore();
	closedir(dir);
}

/* A grant stays while its socket is open in a process we can inspect,
 * or while the process it went to lives and cannot be inspected (we
 * cannot tell then, and listing it is the safer answer). */
static void prune(struct sb_grants *g)
{
	struct scan_state st = {.set = NULL};
	_cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t kept = 0;

	if (proc_fd < 0 || g->count == 0)
		return;
	scan_all(proc_fd, &st, (uid_t)-1, (gid_t)-1);
	/* /proc mounted hidepid=invisible lists a process only to who may
	 * ptrace-read it: look again as each grant's owner. */
	for (size_t i = 0; i < g->count; i++) {
		const struct grant *e = &g->ring[(g->head + i) % g->capacity];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++) {
			const struct grant *f = &g->ring[(g->head + j) % g->capacity];

			seen = f->uid == e->uid && f->gid == e->gid;
		}
		if (seen || e->uid == geteuid())
			continue;
		scan_all(proc_fd, &st, e->uid, e->gid);
	}
	/* Nothing collected leaves the arrays NULL, which qsort() must not
	 * be given. */
	if (st.n > 1)
		qsort(st.set, st.n, sizeof(*st.set), cmp_ino);
	if (st.n_opaque > 1)
		qsort(st.opaque, st.n_opaque, sizeof(*st.opaque), cmp_pid);

	for (size_t i = 0; i < g->count; i++) {
		struct grant *e = &g->ring[(g->head + i) % g->capacity];

		if ((st.n && bsearch(&e->inode, st.set, st.n, sizeof(*st.set), cmp_ino)) ||
		    (st.n_opaque &&
		     bsearch(&e->pid, st.opaque, st.n_opaque, sizeof(*st.opaque), cmp_pid)))
			g->ring[(g->head + kept++) % g->capacity] = *e;
		else
			json_object_put(e->address);
	}
	g->count = kept;
	free(st.set);
	free(st.opaque);
}

json_object *sb_grants_list(struct sb_grants *g, size_t offset, size_t limit, size_t *total)
{
	json_object *list;

	/* The /proc scan is the expensive part: once per listing, at its
	 * first page; later pages page through what it left. */
	if (offset == 0)
		prune(g);
	*total = g->count;
	list = json_object_new_array();
	for (size_t i = offset; list && i < g->count && i - offset < limit; i++) {
		const struct grant *e = &g->ring[(g->head + i) % g->capacity];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "time_usec", json_object_new_int64((int64_t)e->time_usec));
		json_object_object_add(o, "pid", json_object_new_int64(e->pid));
		json_object_object_add(o, "uid", json_object_new_int64(e->uid));
		json_object_object_add(o, "comm", json_object_new_string(e->comm));
		json_object_object_add(o, "family", sb_const_json(SB_C_AF, e->family));
		json_object_object_add(o, "type", sb_const_json(SB_C_SOCK, e->type));
		json_object_object_add(o, "protocol", json_object_new_int(e->protocol));
		json_object_object_add(o, "inode", json_object_new_int64((int64_t)e->inode));
		if (e->address)
			json_object_object_add(o, "address", json_object_get(e->address));
		json_object_array_add(list, o);
	}
	return list;
}
