/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/fsid.h"
#include "daemon/grants.h"
#include "daemon/log.h"
#include "proto/addr.h"
#include "proto/json-util.h"

struct grant {
	uint64_t time_usec;
	pid_t pid; /* the client; once listed, a process that holds the socket */
	uid_t uid;
	gid_t gid;
	char comm[SB_COMM_MAX]; /* pid's name, as last read */
	int family, type, protocol;
	ino_t inode;
	json_object *address;
	/* Or an IPv4 or IPv6 address a Bind got, written as JSON only when
	 * listed: a Bind in the compact spelling builds no JSON
	 * (docs/PERFORMANCE.md). */
	struct sockaddr_in6 inet;
	socklen_t inet_len;
};

/* A ring: when full, the oldest grant is forgotten (list is advisory). */
struct sb_grants {
	struct grant *ring;
	size_t capacity, head, count;
	/* CLOCK_MONOTONIC of the last /proc scan a client that is not
	 * admin asked for. */
	uint64_t scanned_usec;
};

/* A /proc scan costs the loop a walk of every process: clients that are
 * not admin get one at most this often, the last answer between. */
#define SCAN_INTERVAL_USEC 1000000u

static uint64_t monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

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
		   const struct sb_sockinfo *si, json_object *address, const struct sockaddr *sa,
		   socklen_t sa_len)
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
	if (!address && sa && sa_len <= sizeof(e->inet)) {
		memcpy(&e->inet, sa, sa_len);
		e->inet_len = sa_len;
	}
	memcpy(e->comm, c->comm, sizeof(e->comm));
}

/* A socket open in a process. */
struct holder {
	ino_t inode;
	pid_t pid;
};

static int cmp_holder(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
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
static bool scan_process(int proc_fd, const char *pid, struct holder **set, size_t *n, size_t *cap)
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
			struct holder *p = realloc(*set, ncap * sizeof(**set));

			if (!p)
				break;
			*set = p;
			*cap = ncap;
		}
		(*set)[(*n)++] = (struct holder){(ino_t)ino, (pid_t)atoi(pid)};
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
	struct holder *set;
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

/* A process that holds e's socket: the client it went to while that
 * holds it (after exec() too: `sockbrokerctl run` becomes the program),
 * else the first other; 0 when none was seen. */
static pid_t find_holder(const struct scan_state *st, const struct grant *e)
{
	struct holder key = {e->inode, 0};
	size_t lo = 0, hi = st->n;

	/* The first holder of the inode: pids sort after 0. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_holder(&st->set[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == st->n || st->set[lo].inode != e->inode)
		return 0;
	for (size_t i = lo; i < st->n && st->set[i].inode == e->inode; i++)
		if (st->set[i].pid == e->pid)
			return e->pid;
	return st->set[lo].pid;
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
		qsort(st.set, st.n, sizeof(*st.set), cmp_holder);
	if (st.n_opaque > 1)
		qsort(st.opaque, st.n_opaque, sizeof(*st.opaque), cmp_pid);

	for (size_t i = 0; i < g->count; i++) {
		struct grant *e = &g->ring[(g->head + i) % g->capacity];
		pid_t holder = find_holder(&st, e);

		if (holder > 0 || (st.n_opaque && bsearch(&e->pid, st.opaque, st.n_opaque,
							  sizeof(*st.opaque), cmp_pid))) {
			if (holder > 0)
				e->pid = holder;
			g->ring[(g->head + kept++) % g->capacity] = *e;
		} else {
			json_object_put(e->address);
		}
	}
	g->count = kept;
	free(st.set);
	free(st.opaque);
}

/* The name of e's holder now: a program run by `sockbrokerctl run` or
 * exec()ed later is shown, not the client that asked. Read as the
 * process's owner (hidepid=invisible); kept when it cannot be read. */
static void refresh_comm(int proc_fd, struct grant *e)
{
	char pid[16], comm[SB_COMM_MAX];
	struct stat st;

	snprintf(pid, sizeof(pid), "%d", (int)e->pid);
	if (!sb_fsid_restore() || fstatat(proc_fd, pid, &st, 0) < 0)
		return;
	if (sb_comm_read(e->pid, st.st_uid, st.st_gid, comm))
		memcpy(e->comm, comm, sizeof(e->comm));
}

static json_object *grant_address(const struct grant *e)
{
	if (e->address)
		return json_object_get(e->address);
	if (e->inet_len)
		return sb_addr_to_json((const struct sockaddr *)&e->inet, e->inet_len, e->protocol,
				       NULL);
	return NULL;
}

json_object *sb_grants_list(struct sb_grants *g, uid_t uid, size_t offset, size_t limit,
			    size_t *total)
{
	_cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct sb_json_builder list;
	size_t seen = 0;

	/* The /proc scan is the expensive part: once per listing, at its
	 * first page; later pages page through what it left. */
	if (offset == 0 && uid == (uid_t)-1) {
		prune(g);
	} else if (offset == 0 && (g->scanned_usec == 0 ||
				   monotonic_usec() - g->scanned_usec >= SCAN_INTERVAL_USEC)) {
		prune(g);
		g->scanned_usec = monotonic_usec();
	}
	list = sb_json_new_array();
	for (size_t i = 0; list.r == 0 && i < g->count; i++) {
		struct grant *e = &g->ring[(g->head + i) % g->capacity];
		struct sb_json_builder o;
		json_object *address;

		if (uid != (uid_t)-1 && e->uid != uid)
			continue;
		if (seen++ < offset || seen > offset + limit)
			continue;
		if (proc_fd >= 0)
			refresh_comm(proc_fd, e);
		o = sb_json_new_object();
		sb_json_set(&o, "time_usec", json_object_new_int64((int64_t)e->time_usec));
		sb_json_set(&o, "pid", json_object_new_int64(e->pid));
		sb_json_set(&o, "uid", json_object_new_int64(e->uid));
		sb_json_set(&o, "comm", json_object_new_string(e->comm));
		sb_json_set(&o, "family", sb_const_json(SB_C_AF, e->family));
		sb_json_set(&o, "type", sb_const_json(SB_C_SOCK, e->type));
		sb_json_set(&o, "protocol", json_object_new_int(e->protocol));
		sb_json_set(&o, "inode", json_object_new_int64((int64_t)e->inode));
		/* None for a grant whose address was not kept. */
		address = grant_address(e);
		if (address)
			sb_json_set(&o, "address", address);
		sb_json_push(&list, sb_json_done(&o));
	}
	(void)sb_fsid_restore();
	*total = seen;
	return sb_json_done(&list);
}
