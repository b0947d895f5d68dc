/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AF_CAN and AF_ALG brokering on a real kernel, for a sandboxed client.
 *
 * Every test starts the real daemon and forks a client that becomes
 * nobody and installs a seccomp filter refusing socket(AF_CAN) and
 * socket(AF_ALG) with EAFNOSUPPORT, as systemd's RestrictAddressFamilies=
 * or a Flatpak sandbox does. The client proves it cannot create those
 * sockets itself, then gets them from the broker and uses them on vcan0
 * and the kernel's crypto API.
 *
 * The host's kernel may lack both families: then every test skips with
 * the reason. tests/vm/check-vm-broker.sh runs this program in a VM that
 * has them (see docs/VM-TESTS.md), where a missing family is a failure. */
#include <errno.h>
#include <linux/can.h>
#include <linux/can/bcm.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_LINUX_IF_ALG_H
#include <linux/if_alg.h>
#endif

#include "client/lib/sockbroker.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sandbox.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define CAN_IFNAME "vcan0"

static const char policy[] =
	"allow user:nobody socket family=AF_CAN protocol=CAN_RAW,CAN_BCM,CAN_ISOTP\n"
	"allow user:nobody bind family=AF_CAN\n"
	"allow user:nobody socket family=AF_ALG\n"
	"allow user:nobody bind family=AF_ALG\n";

/* family_not_granted_is_refused: CAN only, and not J1939. */
static const char policy_can_only[] =
	"allow user:nobody socket family=AF_CAN protocol=CAN_RAW,CAN_BCM,CAN_ISOTP\n"
	"allow user:nobody bind family=AF_CAN\n";

static struct sb_test_daemon daemon_;
/* vcan0's index, looked up by the test before it forks the client. */
static int can_ifindex;

/* ------------------------------------------------- checks in the client */

/* fd is a real socket of this family, type and protocol (asked of the
 * kernel, not of the broker). Linux 6.1 reports SO_PROTOCOL 0 for CAN
 * raw, BCM and ISO-TP sockets (only J1939 records its protocol); what
 * the tests then do with the socket shows which protocol it has. */
static bool is_socket(int fd, int family, int type, int protocol)
{
	int reported = sb_test_sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL);

	return sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) == family &&
	       sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) == type &&
	       (reported == protocol || (family == AF_CAN && reported == 0));
}

/* The CAN interface fd is bound to; -1 when it cannot be read. */
static int bound_ifindex(int fd)
{
	struct sockaddr_can scan = {0};
	socklen_t len = sizeof(scan);

	if (getsockname(fd, (struct sockaddr *)&scan, &len) < 0 || scan.can_family != AF_CAN)
		return -1;
	return scan.can_ifindex;
}

/* The sandbox's promise: the client cannot create what the broker will
 * give it. Every CAN protocol the tests use, and AF_ALG. */
static int direct_creation_blocked(void)
{
	CHECK_FAILS(socket(AF_CAN, SOCK_RAW, CAN_RAW), SB_SANDBOX_ERRNO);
	CHECK_FAILS(socket(AF_CAN, SOCK_DGRAM, CAN_BCM), SB_SANDBOX_ERRNO);
	CHECK_FAILS(socket(AF_CAN, SOCK_DGRAM, CAN_ISOTP), SB_SANDBOX_ERRNO);
	CHECK_FAILS(socket(AF_ALG, SOCK_SEQPACKET, 0), SB_SANDBOX_ERRNO);
	return 0;
}

/* ------------------------------------------------------ the test's side */

#define NEED_CAN()                                                                    \
	do {                                                                          \
		SB_NEED_SANDBOX();                                                    \
		SB_NEED_KERNEL(AF_CAN, SOCK_RAW, CAN_RAW, "AF_CAN");                  \
		can_ifindex = (int)if_nametoindex(CAN_IFNAME);                        \
		if (can_ifindex == 0) {                                               \
			ck_assert_msg(!sb_test_in_vm(), "in the VM: no " CAN_IFNAME); \
			SB_SKIP("no " CAN_IFNAME " interface; run it in the VM");     \
		}                                                                     \
	} while (0)

#define NEED_ALG()                                                   \
	do {                                                         \
		SB_NEED_SANDBOX();                                   \
		SB_NEED_KERNEL(AF_ALG, SOCK_SEQPACKET, 0, "AF_ALG"); \
	} while (0)

static const int sandboxed_families[] = {AF_CAN, AF_ALG};

/* Run fn in a sandboxed client against a daemon with policy_text. The
 * client's messages go to the log, and the first one into the failure. */
static void run_client(const char *policy_text, int (*fn)(void))
{
	const struct sb_sandboxed_client c = {
		.families = sandboxed_families,
		.n_families = ELEMENTSOF(sandboxed_families),
		.blocked = direct_creation_blocked,
		.fn = fn,
	};

	sb_run_sandboxed(&daemon_, policy_text, &c);
}

/* ------------------------------------------------------------------ CAN */

static const char can_spec[] = "AF_CAN:SOCK_RAW:CAN_RAW@" CAN_IFNAME;

static int client_can_raw(void)
{
	struct sockaddr_can to = {.can_family = AF_CAN, .can_ifindex = can_ifindex}, from;
	struct can_frame out = {.can_id = 0x123, .len = 8}, in = {0};
	socklen_t from_len = sizeof(from);
	int rx, tx;

	/* Bound by the broker, in the same round trip... */
	rx = sockbroker_socket_spec(can_spec);
	CHECK(rx >= 0);
	CHECK(is_socket(rx, AF_CAN, SOCK_RAW, CAN_RAW));
	CHECK(bound_ifindex(rx) == can_ifindex);
	/* ...and bound by the client itself, which needs no privilege. */
	tx = sockbroker_socket(AF_CAN, SOCK_RAW, CAN_RAW);
	CHECK(tx >= 0);
	CHECK(is_socket(tx, AF_CAN, SOCK_RAW, CAN_RAW));
	CHECK(bind(tx, (struct sockaddr *)&to, sizeof(to)) == 0);

	memcpy(out.data, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	CHECK(write(tx, &out, sizeof(out)) == (ssize_t)sizeof(out));
	CHECK(sb_vm_readable(rx));
	CHECK(recvfrom(rx, &in, sizeof(in), 0, (struct sockaddr *)&from, &from_len) ==
	      (ssize_t)sizeof(in));
	CHECK(in.can_id == out.can_id && in.len == out.len);
	CHECK_BYTES(in.data, out.data, 8);
	CHECK(from.can_family == AF_CAN && from.can_ifindex == can_ifindex);
	close(tx);
	close(rx);
	return 0;
}

START_TEST(can_raw_frame_exchange)
{
	NEED_CAN();
	run_client(policy, client_can_raw);
}
END_TEST

/* A BCM message with its one frame, as the kernel reads it. */
struct bcm_one {
	struct bcm_msg_head head;
	struct can_frame frame;
};

static int client_can_bcm(void)
{
	struct sockaddr_can ifaddr = {.can_family = AF_CAN, .can_ifindex = can_ifindex};
	struct bcm_one msg = {
		.head = {.opcode = TX_SEND, .can_id = 0x456, .nframes = 1},
		.frame = {.can_id = 0x456, .len = 4, .data = {0xde, 0xad, 0xbe, 0xef}},
	};
	struct can_frame in = {0};
	int raw, bcm;

	raw = sockbroker_socket_spec(can_spec);
	CHECK(raw >= 0);
	bcm = sockbroker_socket(AF_CAN, SOCK_DGRAM, CAN_BCM);
	CHECK(bcm >= 0);
	CHECK(is_socket(bcm, AF_CAN, SOCK_DGRAM, CAN_BCM));
	/* BCM sockets are connected to their interface. */
	CHECK(connect(bcm, (struct sockaddr *)&ifaddr, sizeof(ifaddr)) == 0);
	CHECK(write(bcm, &msg, sizeof(msg)) == (ssize_t)sizeof(msg));

	CHECK(sb_vm_readable(raw));
	CHECK(read(raw, &in, sizeof(in)) == (ssize_t)sizeof(in));
	CHECK(in.can_id == 0x456 && in.len == 4);
	CHECK_BYTES(in.data, msg.frame.data, 4);
	close(bcm);
	close(raw);
	return 0;
}

START_TEST(can_bcm_tx_send_seen_on_raw)
{
	NEED_CAN();
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_BCM, "CAN_BCM");
	run_client(policy, client_can_bcm);
}
END_TEST

#define ISOTP_PDU 100 /* a first frame and 14 consecutive frames */

static int client_can_isotp(void)
{
	struct sockaddr_can addr = {
		.can_family = AF_CAN,
		.can_ifindex = can_ifindex,
		.can_addr.tp = {.rx_id = 0x123, .tx_id = 0x321},
	};
	struct sockbroker_request *req;
	unsigned char pdu[ISOTP_PDU], in[ISOTP_PDU + 16];
	int a, b;

	/* a: receives 0x321, sends 0x123; from the text form. */
	a = sockbroker_socket_spec("AF_CAN:SOCK_DGRAM:CAN_ISOTP@" CAN_IFNAME ":0x321:0x123");
	CHECK(a >= 0);
	CHECK(is_socket(a, AF_CAN, SOCK_DGRAM, CAN_ISOTP));
	/* b: the ids swapped; bound by the broker from a sockaddr_can. */
	req = sockbroker_request_new(AF_CAN, SOCK_DGRAM | SOCK_CLOEXEC, CAN_ISOTP);
	CHECK(req);
	CHECK(sockbroker_request_bind(req, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	b = sockbroker_socket_request(NULL, req);
	sockbroker_request_free(req);
	CHECK(b >= 0);
	CHECK(is_socket(b, AF_CAN, SOCK_DGRAM, CAN_ISOTP));
	CHECK(bound_ifindex(b) == can_ifindex);

	/* Multi-frame: b's kernel side answers a's first frame with flow
	 * control, so the transfer only completes if both bindings hold. */
	for (size_t i = 0; i < sizeof(pdu); i++)
		pdu[i] = (unsigned char)(i * 7 + 3);
	CHECK(write(a, pdu, sizeof(pdu)) == (ssize_t)sizeof(pdu));
	CHECK(sb_vm_readable(b));
	CHECK(read(b, in, sizeof(in)) == (ssize_t)sizeof(pdu));
	CHECK_BYTES(in, pdu, sizeof(pdu));

	/* And back, a single frame. */
	CHECK(write(b, "reply", 5) == 5);
	CHECK(sb_vm_readable(a));
	CHECK(read(a, in, sizeof(in)) == 5);
	CHECK_BYTES(in, "reply", 5);
	close(a);
	close(b);
	return 0;
}

START_TEST(can_isotp_multi_frame)
{
	NEED_CAN();
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_ISOTP, "CAN_ISOTP");
	run_client(policy, client_can_isotp);
}
END_TEST

/* Binds the broker makes on sockets the client holds (the Bind method).
 * The daemon and the library read such a socket's protocol from the
 * socket itself, which for CAN must work although Linux 6.1 reports
 * SO_PROTOCOL 0 for CAN raw, BCM and ISO-TP sockets. */
static const char policy_bind_can_raw[] =
	"allow user:nobody socket family=AF_CAN protocol=CAN_RAW,CAN_BCM,CAN_ISOTP\n"
	"allow user:nobody bind family=AF_CAN protocol=CAN_RAW\n";

static int client_can_bind_rule(void)
{
	struct sockaddr_can addr = {.can_family = AF_CAN, .can_ifindex = can_ifindex};
	int raw;

	raw = sockbroker_socket(AF_CAN, SOCK_RAW, CAN_RAW);
	CHECK(raw >= 0);
	CHECK(sockbroker_bind(raw, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(bound_ifindex(raw) == can_ifindex);
	close(raw);
	return 0;
}

START_TEST(can_bind_rule_names_protocol)
{
	NEED_CAN();
	run_client(policy_bind_can_raw, client_can_bind_rule);
}
END_TEST

static int client_can_bind_isotp(void)
{
	struct sockaddr_can addr = {
		.can_family = AF_CAN,
		.can_ifindex = can_ifindex,
		.can_addr.tp = {.rx_id = 0x1a0, .tx_id = 0x1b0},
	};
	struct sockaddr_can got = {0};
	socklen_t len = sizeof(got);
	unsigned char pdu[20], in[32];
	int tp, peer;

	/* An ISO-TP address carries the two ids: they must reach bind(). */
	tp = sockbroker_socket(AF_CAN, SOCK_DGRAM, CAN_ISOTP);
	CHECK(tp >= 0);
	CHECK(sockbroker_bind(tp, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(getsockname(tp, (struct sockaddr *)&got, &len) == 0);
	CHECK(got.can_ifindex == can_ifindex);
	CHECK(got.can_addr.tp.rx_id == 0x1a0 && got.can_addr.tp.tx_id == 0x1b0);

	peer = sockbroker_socket_spec("AF_CAN:SOCK_DGRAM:CAN_ISOTP@" CAN_IFNAME ":0x1b0:0x1a0");
	CHECK(peer >= 0);
	for (size_t i = 0; i < sizeof(pdu); i++)
		pdu[i] = (unsigned char)i;
	CHECK(write(peer, pdu, sizeof(pdu)) == (ssize_t)sizeof(pdu));
	CHECK(sb_vm_readable(tp));
	CHECK(read(tp, in, sizeof(in)) == (ssize_t)sizeof(pdu));
	CHECK_BYTES(in, pdu, sizeof(pdu));
	close(peer);
	close(tp);
	return 0;
}

START_TEST(can_isotp_bind_on_client_fd)
{
	NEED_CAN();
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_ISOTP, "CAN_ISOTP");
	run_client(policy, client_can_bind_isotp);
}
END_TEST

/* vcan0 carries CAN FD frames only with an MTU of CANFD_MTU; vcan has
 * that by default, older kernels made it CAN_MTU. */
static void ensure_canfd_mtu(void)
{
	struct ifreq ifr = {0};
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(ifr.ifr_name, CAN_IFNAME);
	ck_assert_int_eq(ioctl(fd, SIOCGIFMTU, &ifr), 0);
	if (ifr.ifr_mtu == CANFD_MTU)
		return;
	/* The MTU of a CAN device changes only while it is down. */
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags &= ~IFF_UP;
	ck_assert_int_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	ifr.ifr_mtu = CANFD_MTU;
	ck_assert_msg(ioctl(fd, SIOCSIFMTU, &ifr) == 0, "cannot set the MTU of %s: %m", CAN_IFNAME);
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
}

static int client_can_fd(void)
{
	struct canfd_frame out = {.can_id = 0x7a1, .len = CANFD_MAX_DLEN, .flags = CANFD_BRS},
			   in = {0};
	struct can_frame classic = {.can_id = 0x7a2, .len = 2, .data = {0xca, 0xfe}};
	int on = 1, rx, tx;

	rx = sockbroker_socket_spec(can_spec);
	CHECK(rx >= 0);
	tx = sockbroker_socket_spec(can_spec);
	CHECK(tx >= 0);
	/* Without CAN_RAW_FD_FRAMES a raw socket refuses FD frames. */
	CHECK_FAILS(write(tx, &out, CANFD_MTU), EINVAL);
	/* An option without privilege: the client sets it on the brokered
	 * sockets itself. */
	CHECK(setsockopt(rx, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on)) == 0);
	CHECK(setsockopt(tx, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on)) == 0);

	for (int i = 0; i < CANFD_MAX_DLEN; i++)
		out.data[i] = (unsigned char)(0xff - i);
	CHECK(write(tx, &out, CANFD_MTU) == CANFD_MTU);
	CHECK(sb_vm_readable(rx));
	CHECK(read(rx, &in, sizeof(in)) == CANFD_MTU);
	CHECK(in.can_id == out.can_id && in.len == CANFD_MAX_DLEN);
	CHECK(in.flags & CANFD_BRS);
	CHECK_BYTES(in.data, out.data, CANFD_MAX_DLEN);

	/* Classic frames still arrive as classic frames on an FD socket. */
	CHECK(write(tx, &classic, CAN_MTU) == CAN_MTU);
	CHECK(sb_vm_readable(rx));
	CHECK(read(rx, &in, sizeof(in)) == CAN_MTU);
	CHECK(in.can_id == classic.can_id && in.len == 2);
	CHECK_BYTES(in.data, classic.data, 2);
	close(tx);
	close(rx);
	return 0;
}

START_TEST(can_fd_frames)
{
	NEED_CAN();
	ensure_canfd_mtu();
	run_client(policy, client_can_fd);
}
END_TEST

/* ------------------------------------------------------------------ ALG */

/* FIPS 180-2, appendix B.1 and B.2. */
static const unsigned char sha256_abc[32] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
static const unsigned char sha256_two_blocks[32] = {
	0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
	0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
	0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
};

static int client_alg_hash(void)
{
	static const char part1[] = "abcdbcdecdefdefgefghfghighijhijk",
			  part2[] = "ijkljklmklmnlmnomnopnopq";
	unsigned char digest[32];
	int tfm, op;

	/* Created and bound to the algorithm by the broker, one round trip. */
	tfm = sockbroker_socket_spec("AF_ALG:SOCK_SEQPACKET@hash:sha256");
	CHECK(tfm >= 0);
	CHECK(is_socket(tfm, AF_ALG, SOCK_SEQPACKET, 0));

	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	CHECK(op >= 0);
	CHECK(write(op, "abc", 3) == 3);
	CHECK(read(op, digest, sizeof(digest)) == (ssize_t)sizeof(digest));
	CHECK_BYTES(digest, sha256_abc, sizeof(digest));
	close(op);

	/* A message in two parts, over a block boundary. */
	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	CHECK(op >= 0);
	CHECK(send(op, part1, strlen(part1), MSG_MORE) == (ssize_t)strlen(part1));
	CHECK(send(op, part2, strlen(part2), 0) == (ssize_t)strlen(part2));
	CHECK(read(op, digest, sizeof(digest)) == (ssize_t)sizeof(digest));
	CHECK_BYTES(digest, sha256_two_blocks, sizeof(digest));
	close(op);
	close(tfm);
	return 0;
}

START_TEST(alg_hash_sha256)
{
	NEED_ALG();
	run_client(policy, client_alg_hash);
}
END_TEST

#ifdef HAVE_LINUX_IF_ALG_H
/* FIPS-197, appendix C.1: AES-128. */
static const unsigned char fips197_key[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};
static const unsigned char fips197_plain[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};
static const unsigned char fips197_cipher[16] = {
	0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
	0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a,
};

/* NIST SP 800-38A, F.2.1 and F.2.2: CBC-AES128, the first two blocks. */
static const unsigned char sp800_38a_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};
static const unsigned char sp800_38a_iv[16] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
};
static const unsigned char sp800_38a_plain[32] = {
	0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e,
	0x11, 0x73, 0x93, 0x17, 0x2a, 0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03,
	0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
};
static const unsigned char sp800_38a_cipher[32] = {
	0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46, 0xce, 0xe9, 0x8e,
	0x9b, 0x12, 0xe9, 0x19, 0x7d, 0x50, 0x86, 0xcb, 0x9b, 0x50, 0x72,
	0x19, 0xee, 0x95, 0xdb, 0x11, 0x3a, 0x91, 0x76, 0x78, 0xb2,
};

/* One skcipher operation on tfm: op (ALG_OP_ENCRYPT or ALG_OP_DECRYPT),
 * with iv unless NULL, of len bytes from in into out. 0 or -errno. */
static int skcipher_run(int tfm, int op, const unsigned char *iv, const void *in, void *out,
			size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
		struct cmsghdr align;
	} control = {0};
	struct iovec iov = {.iov_base = (void *)in, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf};
	struct cmsghdr *cmsg;
	_cleanup_close_ int fd = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	msg.msg_controllen =
		CMSG_SPACE(sizeof(int)) + (iv ? CMSG_SPACE(sizeof(struct af_alg_iv) + 16) : 0);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_ALG;
	cmsg->cmsg_type = ALG_SET_OP;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &op, sizeof(op));
	if (iv) {
		struct af_alg_iv head = {.ivlen = 16};

		cmsg = CMSG_NXTHDR(&msg, cmsg);
		cmsg->cmsg_level = SOL_ALG;
		cmsg->cmsg_type = ALG_SET_IV;
		cmsg->cmsg_len = CMSG_LEN(sizeof(head) + 16);
		memcpy(CMSG_DATA(cmsg), &head, sizeof(head));
		memcpy(CMSG_DATA(cmsg) + sizeof(head), iv, 16);
	}
	n = sendmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	n = read(fd, out, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int client_alg_skcipher(void)
{
	unsigned char out[32], back[32];
	int ecb, cbc;

	ecb = sockbroker_socket_spec("AF_ALG:SOCK_SEQPACKET@skcipher:ecb(aes)");
	CHECK(ecb >= 0);
	CHECK(is_socket(ecb, AF_ALG, SOCK_SEQPACKET, 0));
	/* Setting the key needs no privilege: the client does it. */
	CHECK(setsockopt(ecb, SOL_ALG, ALG_SET_KEY, fips197_key, sizeof(fips197_key)) == 0);
	CHECK(skcipher_run(ecb, ALG_OP_ENCRYPT, NULL, fips197_plain, out, 16) == 0);
	CHECK_BYTES(out, fips197_cipher, 16);
	CHECK(skcipher_run(ecb, ALG_OP_DECRYPT, NULL, fips197_cipher, back, 16) == 0);
	CHECK_BYTES(back, fips197_plain, 16);
	close(ecb);

	cbc = sockbroker_socket_spec("AF_ALG:SOCK_SEQPACKET@skcipher:cbc(aes)");
	CHECK(cbc >= 0);
	CHECK(setsockopt(cbc, SOL_ALG, ALG_SET_KEY, sp800_38a_key, sizeof(sp800_38a_key)) == 0);
	CHECK(skcipher_run(cbc, ALG_OP_ENCRYPT, sp800_38a_iv, sp800_38a_plain, out, 32) == 0);
	CHECK_BYTES(out, sp800_38a_cipher, 32);
	CHECK(skcipher_run(cbc, ALG_OP_DECRYPT, sp800_38a_iv, sp800_38a_cipher, back, 32) == 0);
	CHECK_BYTES(back, sp800_38a_plain, 32);
	close(cbc);
	return 0;
}
#endif

START_TEST(alg_skcipher_aes)
{
#ifdef HAVE_LINUX_IF_ALG_H
	NEED_ALG();
	run_client(policy, client_alg_skcipher);
#else
	SB_SKIP("built without <linux/if_alg.h>");
#endif
}
END_TEST

/* --------------------------------------------------------------- policy */

static int client_not_granted(void)
{
	int fd;

	/* What the policy grants works... */
	fd = sockbroker_socket_spec(can_spec);
	CHECK(fd >= 0);
	close(fd);
	/* ...a family it does not grant is refused, however it is asked
	 * for... */
	CHECK_FAILS(sockbroker_socket(AF_ALG, SOCK_SEQPACKET, 0), EACCES);
	CHECK(strstr(sockbroker_last_message(), "AF_ALG"));
	CHECK_FAILS(sockbroker_socket_spec("AF_ALG:SOCK_SEQPACKET@hash:sha256"), EACCES);
	/* ...and so is a CAN protocol it does not name. */
	CHECK_FAILS(sockbroker_socket(AF_CAN, SOCK_DGRAM, CAN_J1939), EACCES);
	CHECK(strstr(sockbroker_last_message(), "CAN_J1939"));
	CHECK_FAILS(sockbroker_socket(AF_CAN, SOCK_DGRAM, CAN_J1939), EACCES);
	/* A refusal leaves the connection usable. */
	fd = sockbroker_socket(AF_CAN, SOCK_DGRAM, CAN_BCM);
	CHECK(fd >= 0);
	close(fd);
	return 0;
}

START_TEST(family_not_granted_is_refused)
{
	NEED_CAN();
	/* The refusals must come from the policy, not from the kernel. */
	NEED_ALG();
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_J1939, "CAN_J1939");
	run_client(policy_can_only, client_not_granted);
}
END_TEST

/* ------------------------------------------------------------- sandbox */

/* Before the filter, nobody can create both families: no capability is
 * needed, so only the sandbox stands in the way. */
static int unfiltered_creation_works(void *arg)
{
	int fd;

	fd = socket(AF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
	CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	return 0;
}

static int client_sandbox(void)
{
	int fd;

	/* The filter refuses only those two families. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	/* socket() flags do not get past it. */
	CHECK_FAILS(socket(AF_CAN, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, CAN_RAW),
		    SB_SANDBOX_ERRNO);
	CHECK_FAILS(socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), SB_SANDBOX_ERRNO);

	/* The broker's path works for both. */
	fd = sockbroker_socket(AF_CAN, SOCK_RAW, CAN_RAW);
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_CAN, SOCK_RAW, CAN_RAW));
	close(fd);
	fd = sockbroker_socket(AF_ALG, SOCK_SEQPACKET, 0);
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_ALG, SOCK_SEQPACKET, 0));
	close(fd);
	/* Still refused directly after the broker handed them over. */
	CHECK(direct_creation_blocked() == 0);
	return 0;
}

START_TEST(seccomp_blocks_direct_creation)
{
	NEED_CAN();
	NEED_ALG();
	ck_assert_int_eq(sb_test_run_as_nobody(unfiltered_creation_works, NULL), 0);
	run_client(policy, client_sandbox);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm-broker");

	SB_TEST(s, can_raw_frame_exchange);
	SB_TEST(s, can_bcm_tx_send_seen_on_raw);
	SB_TEST(s, can_isotp_multi_frame);
	SB_TEST(s, can_isotp_bind_on_client_fd);
	SB_TEST(s, can_bind_rule_names_protocol);
	SB_TEST(s, can_fd_frames);
	SB_TEST(s, alg_hash_sha256);
	SB_TEST(s, alg_skcipher_aes);
	SB_TEST(s, family_not_granted_is_refused);
	SB_TEST(s, seccomp_blocks_direct_creation);
	return sb_test_run(s);
}
