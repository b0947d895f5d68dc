/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy file parser (daemon/policy-*.c), and the key=value request
 * builder behind admin.Check and sockbrokerctl check.
 *
 * Input: a mode byte and request selectors, then text. Mode even: the
 * text is a policy file; mode odd: lines of key=value for one request.
 *
 * Oracles: a refused file names "file:line" in a terminated message; an
 * accepted one decides every request, the same way twice, naming a rule
 * that is "default" or one of its own lines; no key=value line crashes
 * the request builder, and a refusal explains itself. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/policy.h"
#include "tests/fuzz/fuzz.h"

#define FILENAME "fuzz.conf"

/* Decided against the key=value requests. */
static struct sb_policy *fixed;

static const gid_t groups[] = {27, 100, 65534};

static const struct sb_policy_subject subjects[] = {
	{0, 0, groups, 0},
	{65534, 65534, groups + 2, 1},
	{1000, 1000, groups, 3},
	{4294967294u, 4294967294u, NULL, 0},
	/* In a unit, and of a unit that could not be read. */
	{1000, 1000, groups, 3, "sshd.service", false},
	{1000, 1000, groups, 3, NULL, true},
};

/* A request of each method, its fields from two selector bytes. */
static void make_request(struct sb_policy_request *req, struct sockaddr_in6 *sin6, uint8_t a,
			 uint8_t b)
{
	static const int fams[] = {AF_INET, AF_INET6, AF_PACKET, AF_NETLINK, AF_CAN, 0, 255};
	static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, 15};
	static const int protos[] = {0, IPPROTO_ICMP, 768, 17, 65535, -1};

	sb_policy_request_init(req, (enum sb_policy_method)(a % SB_PM_MAX));
	req->family = fams[a % ELEMENTSOF(fams)];
	req->type = types[b % ELEMENTSOF(types)];
	req->protocol = protos[(a ^ b) % ELEMENTSOF(protos)];
	if (req->method == SB_PM_BIND) {
		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)(b * 257));
		sin6->sin6_addr.s6_addr[15] = b & 1;
		sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = (b & 2) ? 0xff : 0;
		req->address = (struct sockaddr *)sin6;
		req->address_len = sizeof(*sin6);
		req->port = ntohs(sin6->sin6_port);
	}
	if (req->method == SB_PM_SETSOCKOPT) {
		req->level = SOL_SOCKET;
		req->option = SO_MARK;
		req->has_value = b & 1;
		req->value = (int64_t)b << (a % 40);
	}
	if (b & 0x80)
		req->netns = (b & 0x40) ? "lab1" : "*";
}

static void check_decisions(const struct sb_policy *p, const uint8_t *sel)
{
	for (size_t s = 0; s < ELEMENTSOF(subjects); s++) {
		for (int i = 0; i < 4; i++) {
			struct sb_policy_request req;
			struct sockaddr_in6 sin6;
			struct sb_decision d1, d2;

			make_request(&req, &sin6, (uint8_t)(sel[i] + s), sel[(i + 1) % 4]);
			sb_policy_check(p, &subjects[s], &req, &d1);
			sb_policy_check(p, &subjects[s], &req, &d2);
			FUZZ_ASSERT(d1.rule && d1.allow == d2.allow &&
				    strcmp(d1.rule, d2.rule) == 0);
			FUZZ_ASSERT(strcmp(d1.rule, "default") == 0 ||
				    strncmp(d1.rule, FILENAME ":", strlen(FILENAME ":")) == 0);
			/* No rule: nobody gets in, root included. */
			if (strcmp(d1.rule, "default") == 0)
				FUZZ_ASSERT(!d1.allow);
		}
	}
}

static void fuzz_file(const char *text, const uint8_t *sel)
{
	struct sb_policy *p = NULL;
	char errbuf[512];
	int r;

	memset(errbuf, 0x55, sizeof(errbuf));
	r = sb_policy_parse_string(text, FILENAME, &p, errbuf, sizeof(errbuf));
	if (r < 0) {
		FUZZ_ASSERT(!p);
		FUZZ_ASSERT(memchr(errbuf, 0, sizeof(errbuf)));
		if (strncmp(errbuf, FILENAME ":", strlen(FILENAME ":")) != 0)
			fprintf(FUZZ_ERR, "error without file:line: %s\n", errbuf);
		FUZZ_ASSERT(strncmp(errbuf, FILENAME ":", strlen(FILENAME ":")) == 0);
		return;
	}
	FUZZ_ASSERT(p);
	FUZZ_ASSERT(sb_policy_rule_count(p) <= 65536);
	check_decisions(p, sel);
	sb_policy_free(p);
}

static void fuzz_keys(char *text, const uint8_t *sel)
{
	struct sb_policy_request req;
	struct sockaddr_storage storage;
	struct sb_decision d;
	char *save = NULL;

	sb_policy_request_init(&req, (enum sb_policy_method)(sel[1] % SB_PM_MAX));
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		char errbuf[256];

		if (!eq)
			continue;
		*eq = 0;
		memset(errbuf, 0x55, sizeof(errbuf));
		if (sb_policy_request_set_key(&req, &storage, line, eq + 1, errbuf,
					      sizeof(errbuf)) < 0)
			FUZZ_ASSERT(memchr(errbuf, 0, sizeof(errbuf)) && errbuf[0]);
	}
	for (size_t s = 0; s < ELEMENTSOF(subjects); s++) {
		sb_policy_check(fixed, &subjects[s], &req, &d);
		FUZZ_ASSERT(d.rule);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	uint8_t mode = fuzz_u8(&in), sel[4];
	char *text;

	for (int i = 0; i < 4; i++)
		sel[i] = fuzz_u8(&in);
	text = fuzz_rest_string(&in, NULL);
	if (mode & 1)
		fuzz_keys(text, sel);
	else
		fuzz_file(text, sel);
	free(text);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char policy[] =
		"allow group:100 socket family=AF_PACKET type=SOCK_RAW\n"
		"allow user:65534 socket family=AF_INET,AF_INET6 type=SOCK_RAW "
		"protocol=IPPROTO_ICMP,IPPROTO_ICMPV6\n"
		"allow * bind family=AF_INET,AF_INET6 port=80,443,8000-8999 address=127.0.0.0/8,::1\n"
		"allow user:1000 setsockopt option=SO_MARK value=0x100-0x1ff,-3--1\n"
		"allow group:27 socket family=AF_PACKET netns=lab1\n"
		"deny user:4294967294 *\n";
	char errbuf[256];

	FUZZ_ASSERT(sb_policy_parse_string(policy, FILENAME, &fixed, errbuf, sizeof(errbuf)) == 0);
	return 0;
}
