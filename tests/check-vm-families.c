/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TIPC, RDS, VSOCK, SCTP, CAN J1939, Bluetooth and QRTR brokering on a
 * real kernel, each with data where the kernel allows it without hardware.
 *
 * Every test starts the real daemon and forks a client that becomes nobody
 * and installs a seccomp filter refusing socket() of these families (all
 * but SCTP, which is AF_INET) with EAFNOSUPPORT. What the broker lends
 * besides lifting that ban is proven by the client failing first on its
 * own: VSOCK ports up to 1023, SCTP ports below 1024, QRTR ports below
 * 0x4000, L2CAP PSMs below 0x1001 and the HCI monitor channel.
 *
 * Bluetooth has no controller here: sockets of each protocol are created
 * and bound, the HCI monitor and management channels carry data from the
 * kernel, and no connection is made (that needs a controller).
 *
 * The host's kernel may lack the families: then the tests skip with the
 * reason. tests/vm/check-vm-families.sh runs this program in the VM, which
 * loads their modules (docs/VM-TESTS.md), where a missing one fails. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/can.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifdef HAVE_LINUX_CAN_J1939_H
#include <linux/can/j1939.h>
#endif
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#endif

#include "client/lib/sockbroker.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sandbox.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#ifndef BTPROTO_L2CAP
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define BTPROTO_SCO 2
#define BTPROTO_RFCOMM 3
#endif

#define CAN_IFNAME "vcan0"
#define TIPC_SERVICE 18888u
#define TIPC_INSTANCE 17u

static const char policy[] =
	"allow user:nobody socket family=AF_TIPC,AF_RDS,AF_VSOCK,AF_QIPCRTR,AF_BLUETOOTH\n"
	"allow user:nobody socket family=AF_CAN protocol=CAN_RAW,CAN_J1939\n"
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM protocol=IPPROTO_SCTP\n"
	"allow user:nobody bind family=AF_TIPC,AF_RDS,AF_VSOCK,AF_BLUETOOTH,AF_CAN\n"
	"allow user:nobody bind family=AF_INET protocol=IPPROTO_SCTP port=998,999\n"
	"allow user:nobody bind family=AF_QIPCRTR port=1000\n";

/* families_not_granted_are_refused: none of them. */
static const char policy_can_raw_only[] =
	"allow user:nobody socket family=AF_CAN protocol=CAN_RAW\n";

static struct sb_test_daemon daemon_;
/* vcan0's index, looked up by the test before it forks the client. */
static int can_ifindex;

static const int sandboxed_families[] = {AF_TIPC,    AF_RDS,	   AF_VSOCK,
					 AF_QIPCRTR, AF_BLUETOOTH, AF_CAN};

/* ------------------------------------------------- checks in the client */

static int direct_creation_blocked(void)
{
	for (size_t i = 0; i < ELEMENTSOF(sandboxed_families); i++)
		CHECK_FAILS(socket(sandboxed_families[i], SOCK_DGRAM, 0), SB_SANDBOX_ERRNO);
	return 0;
}

/* fd is a real socket of this family and type, asked of the kernel. */
static bool is_socket(int fd, int family, int type)
{
	return sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) == family &&
	       sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) == type;
}

/* Receive exactly the n bytes of want on fd, within the VM's patience. */
static int receive_exactly(int fd, const void *want, size_t n)
{
	char got[256];

	CHECK(n <= sizeof(got));
	CHECK(sb_vm_readable(fd));
	CHECK(recv(fd, got, sizeof(got), 0) == (ssize_t)n);
	CHECK_BYTES(got, want, n);
	return 0;
}

/* ----------------------------------------------------------------- TIPC */

/* A reliable datagram to a service name, and the answer back to the
 * sender's socket id: the broker bound the name (TIPC_CLUSTER_SCOPE). */
static int client_tipc(void)
{
	struct sockaddr_tipc to = {
		.family = AF_TIPC,
		.addrtype = TIPC_ADDR_NAME,
		.addr.name.name = {.type = TIPC_SERVICE, .instance = TIPC_INSTANCE},
	};
	struct sockaddr_tipc from = {0};
	socklen_t from_len = sizeof(from);
	char buf[64];
	int server, client;

	server = sockbroker_socket_spec("AF_TIPC:SOCK_RDM@TIPC_ADDR_NAMESEQ:18888:17:17:"
					"TIPC_CLUSTER_SCOPE");
	CHECK(server >= 0);
	CHECK(is_socket(server, AF_TIPC, SOCK_RDM));
	client = sockbroker_socket(AF_TIPC, SOCK_RDM, 0);
	CHECK(client >= 0);

	CHECK(sendto(client, "by name", 7, 0, (struct sockaddr *)&to, sizeof(to)) == 7);
	CHECK(sb_vm_readable(server));
	CHECK(recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len) == 7);
	CHECK_BYTES(buf, "by name", 7);
	CHECK(from.family == AF_TIPC && from.addrtype == TIPC_ADDR_ID);
	CHECK(sendto(server, "answer", 6, 0, (struct sockaddr *)&from, from_len) == 6);
	CHECK(receive_exactly(client, "answer", 6) == 0);
	close(client);
	close(server);
	return 0;
}

/* ------------------------------------------------------------------ RDS */

/* bind(2) on an RDS socket takes a sockaddr_in, and so does
 * sockbroker_bind(); an AF_RDS one is refused as the kernel refuses it.
 * 127.0.0.1 takes RDS's loopback transport. */
static int client_rds(void)
{
	struct sockaddr_in server_addr = {.sin_family = AF_INET, .sin_port = htons(18001)};
	struct sockaddr_in wrong, from = {0}, got = {0};
	socklen_t from_len = sizeof(from), len = sizeof(got);
	char buf[64];
	int server, client;

	server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	wrong = server_addr;
	wrong.sin_family = AF_RDS;
	server = sockbroker_socket(AF_RDS, SOCK_SEQPACKET, 0);
	CHECK(server >= 0);
	CHECK(is_socket(server, AF_RDS, SOCK_SEQPACKET));
	CHECK_FAILS(sockbroker_bind(server, (struct sockaddr *)&wrong, sizeof(wrong)),
		    EAFNOSUPPORT);
	CHECK(sockbroker_bind(server, (struct sockaddr *)&server_addr, sizeof(server_addr)) == 0);
	CHECK(getsockname(server, (struct sockaddr *)&got, &len) == 0);
	CHECK(got.sin_family == AF_INET && got.sin_port == htons(18001));
	/* Bound by the broker at creation, from the text form. */
	client = sockbroker_socket_spec("AF_RDS:SOCK_SEQPACKET@127.0.0.1:18002");
	CHECK(client >= 0);

	CHECK(sendto(client, "rds datagram", 12, 0, (struct sockaddr *)&server_addr,
		     sizeof(server_addr)) == 12);
	CHECK(sb_vm_readable(server));
	CHECK(recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len) == 12);
	CHECK_BYTES(buf, "rds datagram", 12);
	CHECK(from.sin_family == AF_INET && from.sin_port == htons(18002) &&
	      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	close(client);
	close(server);
	return 0;
}

/* ---------------------------------------------------------------- VSOCK */

/* A stream over the loopback transport between two ports up to 1023,
 * which need CAP_NET_BIND_SERVICE: the listener bound and put in listening
 * state by the broker (its address by name), the client's own socket bound
 * through Bind. */
static int client_vsock(void)
{
	struct sockaddr_vm server_addr = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL, .svm_port = 1001};
	struct sockaddr_vm client_addr = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = 1002};
	struct sockaddr_vm peer = {0};
	struct sockaddr_storage ss;
	socklen_t ss_len = sizeof(ss), peer_len = sizeof(peer);
	struct sockbroker_request *req;
	int server, client, conn;

	CHECK(sockbroker_addr_parse(AF_VSOCK, 0, "VMADDR_CID_ANY:1001", (struct sockaddr *)&ss,
				    &ss_len) == 0);
	req = sockbroker_request_new(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(req);
	CHECK(sockbroker_request_bind(req, (struct sockaddr *)&ss, ss_len) == 0);
	CHECK(sockbroker_request_listen(req, SOMAXCONN) == 0);
	server = sockbroker_socket_request(NULL, req);
	sockbroker_request_free(req);
	CHECK(server >= 0);
	CHECK(is_socket(server, AF_VSOCK, SOCK_STREAM));
	CHECK(sb_test_sockopt_int(server, SOL_SOCKET, SO_ACCEPTCONN) == 1);

	client = sockbroker_socket(AF_VSOCK, SOCK_STREAM, 0);
	CHECK(client >= 0);
	/* Port 1002 is privileged: nobody cannot bind it... */
	CHECK_FAILS(bind(client, (struct sockaddr *)&client_addr, sizeof(client_addr)), EACCES);
	/* ...the broker can. */
	CHECK(sockbroker_bind(client, (struct sockaddr *)&client_addr, sizeof(client_addr)) == 0);
	CHECK(connect(client, (struct sockaddr *)&server_addr, sizeof(server_addr)) == 0);
	CHECK(sb_vm_readable(server));
	conn = accept4(server, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
	CHECK(conn >= 0);
	CHECK(peer.svm_cid == VMADDR_CID_LOCAL && peer.svm_port == 1002);

	CHECK(write(client, "over vsock", 10) == 10);
	CHECK(receive_exactly(conn, "over vsock", 10) == 0);
	CHECK(write(conn, "and back", 8) == 8);
	CHECK(receive_exactly(client, "and back", 8) == 0);
	close(conn);
	close(client);
	close(server);
	return 0;
}

/* ----------------------------------------------------------------- SCTP */

/* Accept one association on listener from a new unbound socket of the
 * client's, and exchange a message each way. */
static int sctp_exchange(int listener, const struct sockaddr_in *to)
{
	int client, conn;

	client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	CHECK(client >= 0);
	CHECK(connect(client, (const struct sockaddr *)to, sizeof(*to)) == 0);
	CHECK(sb_vm_readable(listener));
	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	CHECK(conn >= 0);
	CHECK(write(client, "sctp", 4) == 4);
	CHECK(receive_exactly(conn, "sctp", 4) == 0);
	CHECK(write(conn, "pong", 4) == 4);
	CHECK(receive_exactly(client, "pong", 4) == 0);
	close(conn);
	close(client);
	return 0;
}

/* SCTP servers on ports 999 and 998 of 127.0.0.1: the client's own socket
 * bound through Bind, and one the broker created and bound. The kernel
 * checks CAP_NET_BIND_SERVICE again when a socket bound to such a port
 * starts an association, so those serve only. */
static int client_sctp(void)
{
	struct sockaddr_in own_addr = {.sin_family = AF_INET, .sin_port = htons(999)};
	struct sockaddr_in brokered_addr = {.sin_family = AF_INET, .sin_port = htons(998)};
	int own, brokered;

	own_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	brokered_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	own = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	CHECK(own >= 0);
	CHECK_FAILS(bind(own, (struct sockaddr *)&own_addr, sizeof(own_addr)), EACCES);
	CHECK(sockbroker_bind(own, (struct sockaddr *)&own_addr, sizeof(own_addr)) == 0);
	CHECK(listen(own, SOMAXCONN) == 0);

	brokered = sockbroker_socket_spec("AF_INET:SOCK_STREAM:IPPROTO_SCTP@127.0.0.1:998");
	CHECK(brokered >= 0);
	CHECK(sb_test_sockopt_int(brokered, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_SCTP);
	CHECK_FAILS(connect(brokered, (struct sockaddr *)&own_addr, sizeof(own_addr)), EACCES);
	CHECK(listen(brokered, SOMAXCONN) == 0);

	CHECK(sctp_exchange(own, &own_addr) == 0);
	CHECK(sctp_exchange(brokered, &brokered_addr) == 0);
	close(brokered);
	close(own);
	return 0;
}

/* ---------------------------------------------------------------- J1939 */

#if defined(HAVE_LINUX_CAN_J1939_H) && defined(CAN_J1939)
#define J1939_PGN 0x12300u /* PDU1 format: the destination is in the id */
#define J1939_SRC 0x20
#define J1939_DST 0x30
/* Priority 6 (the default), the PGN with the destination, the source. */
#define J1939_CAN_ID (6u << 26 | (J1939_PGN | J1939_DST) << 8 | J1939_SRC)

/* Two J1939 sockets bound by the broker to addresses 0x20 and 0x30 on
 * vcan0: a message from one arrives at the other with its source and PGN,
 * and a brokered CAN_RAW socket sees the frame the stack put on the bus. */
static int client_j1939(void)
{
	struct sockaddr_can to = {
		.can_family = AF_CAN,
		.can_ifindex = can_ifindex,
		.can_addr.j1939 = {.name = J1939_NO_NAME, .pgn = J1939_PGN, .addr = J1939_DST},
	};
	struct sockaddr_can from = {0};
	socklen_t from_len = sizeof(from);
	static const unsigned char payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct can_frame frame = {0};
	unsigned char buf[64];
	int rx, tx, raw;

	raw = sockbroker_socket_spec("AF_CAN:SOCK_RAW:CAN_RAW@" CAN_IFNAME);
	CHECK(raw >= 0);
	rx = sockbroker_socket_spec("AF_CAN:SOCK_DGRAM:CAN_J1939@" CAN_IFNAME ":0x0:0x40000:0x30");
	CHECK(rx >= 0);
	CHECK(is_socket(rx, AF_CAN, SOCK_DGRAM));
	CHECK(sb_test_sockopt_int(rx, SOL_SOCKET, SO_PROTOCOL) == CAN_J1939);
	tx = sockbroker_socket_spec("AF_CAN:SOCK_DGRAM:CAN_J1939@" CAN_IFNAME ":0x0:0x40000:0x20");
	CHECK(tx >= 0);

	CHECK(sendto(tx, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) ==
	      (ssize_t)sizeof(payload));
	CHECK(sb_vm_readable(rx));
	CHECK(recvfrom(rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len) ==
	      (ssize_t)sizeof(payload));
	CHECK_BYTES(buf, payload, sizeof(payload));
	CHECK(from.can_addr.j1939.addr == J1939_SRC && from.can_addr.j1939.pgn == J1939_PGN);

	CHECK(sb_vm_readable(raw));
	CHECK(read(raw, &frame, sizeof(frame)) == (ssize_t)sizeof(frame));
	if ((frame.can_id & CAN_EFF_MASK) != J1939_CAN_ID || !(frame.can_id & CAN_EFF_FLAG)) {
		fprintf(stderr, "J1939 frame id 0x%x, want 0x%x with CAN_EFF_FLAG\n", frame.can_id,
			J1939_CAN_ID);
		return 1;
	}
	CHECK(frame.len == sizeof(payload));
	CHECK_BYTES(frame.data, payload, sizeof(payload));
	close(tx);
	close(rx);
	close(raw);
	return 0;
}
#endif

/* ------------------------------------------------------------ Bluetooth */

#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
/* The header of HCI monitor frames and of management commands and events
 * (BlueZ's monitor and mgmt API; not in libbluetooth-dev's headers). */
struct bt_frame_head {
	uint16_t opcode; /* little-endian, as the other two */
	uint16_t index;
	uint16_t len;
} __attribute__((packed));

#define HCI_MON_SYSTEM_NOTE 12
#define MGMT_OP_READ_VERSION 0x0001
#define MGMT_EV_CMD_COMPLETE 0x0001

/* The HCI monitor channel needs CAP_NET_RAW: bound by the broker, it
 * carries the kernel's system notes, the first naming the running kernel. */
static int bluetooth_monitor(void)
{
	struct sockaddr_hci monitor = {.hci_family = AF_BLUETOOTH,
				       .hci_dev = HCI_DEV_NONE,
				       .hci_channel = HCI_CHANNEL_MONITOR};
	struct utsname u;
	char want[128], buf[512];
	bool seen = false;
	int fd;

	CHECK(uname(&u) == 0);
	snprintf(want, sizeof(want), "Linux version %s", u.release);
	fd = sockbroker_socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_BLUETOOTH, SOCK_RAW));
	CHECK_FAILS(bind(fd, (struct sockaddr *)&monitor, sizeof(monitor)), EPERM);
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&monitor, sizeof(monitor)) == 0);
	/* The notes come first; a few more frames may follow. */
	for (int i = 0; i < 8 && !seen && sb_vm_readable(fd); i++) {
		struct bt_frame_head head;
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		CHECK(n >= (ssize_t)sizeof(head));
		memcpy(&head, buf, sizeof(head));
		CHECK(le16toh(head.len) == n - (ssize_t)sizeof(head));
		buf[n] = 0;
		seen = le16toh(head.opcode) == HCI_MON_SYSTEM_NOTE &&
		       strstr(buf + sizeof(head), want) != NULL;
	}
	if (!seen) {
		fprintf(stderr, "no HCI monitor note \"%s\"\n", want);
		return 1;
	}
	close(fd);
	return 0;
}

/* The management channel, bound by the broker at creation: a command and
 * its reply, with no controller (index MGMT_INDEX_NONE). */
static int bluetooth_mgmt(void)
{
	struct bt_frame_head cmd = {.opcode = htole16(MGMT_OP_READ_VERSION),
				    .index = htole16(HCI_DEV_NONE)};
	struct bt_frame_head head;
	unsigned char buf[64];
	uint16_t opcode;
	int fd;

	fd = sockbroker_socket_spec("AF_BLUETOOTH:SOCK_RAW:BTPROTO_HCI@65535:3");
	CHECK(fd >= 0);
	CHECK(write(fd, &cmd, sizeof(cmd)) == (ssize_t)sizeof(cmd));
	CHECK(sb_vm_readable(fd));
	/* Command complete: the command's opcode, status 0, version (u8),
	 * revision (le16). */
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(head) + 6);
	memcpy(&head, buf, sizeof(head));
	CHECK(le16toh(head.opcode) == MGMT_EV_CMD_COMPLETE && le16toh(head.len) == 6);
	memcpy(&opcode, buf + sizeof(head), sizeof(opcode));
	CHECK(le16toh(opcode) == MGMT_OP_READ_VERSION);
	CHECK(buf[sizeof(head) + 2] == 0 && buf[sizeof(head) + 3] >= 1);
	close(fd);
	return 0;
}

/* L2CAP, RFCOMM and SCO sockets bound to BDADDR_ANY, which needs no
 * controller; listening works too. Connections need one. */
static int bluetooth_binds(void)
{
	struct sockaddr_l2 psm = {.l2_family = AF_BLUETOOTH, .l2_psm = htole16(0x17)};
	struct sockaddr_l2 l2 = {0};
	struct sockaddr_rc rc = {.rc_family = AF_BLUETOOTH, .rc_channel = 5}, rc_got = {0};
	struct sockaddr_sco sco_got = {0};
	socklen_t len;
	int fd;

	/* A PSM below 0x1001 needs CAP_NET_BIND_SERVICE. */
	fd = sockbroker_socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_BLUETOOTH, SOCK_SEQPACKET));
	CHECK_FAILS(bind(fd, (struct sockaddr *)&psm, sizeof(psm)), EACCES);
	close(fd);
	fd = sockbroker_socket_spec("AF_BLUETOOTH:SOCK_SEQPACKET:BTPROTO_L2CAP@00:00:00:00:00:00:"
				    "0x19");
	CHECK(fd >= 0);
	len = sizeof(l2);
	CHECK(getsockname(fd, (struct sockaddr *)&l2, &len) == 0);
	CHECK(l2.l2_family == AF_BLUETOOTH && le16toh(l2.l2_psm) == 0x19);
	CHECK(listen(fd, 1) == 0);
	close(fd);

	fd = sockbroker_socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_BLUETOOTH, SOCK_STREAM));
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&rc, sizeof(rc)) == 0);
	len = sizeof(rc_got);
	CHECK(getsockname(fd, (struct sockaddr *)&rc_got, &len) == 0);
	CHECK(rc_got.rc_family == AF_BLUETOOTH && rc_got.rc_channel == 5);
	CHECK(listen(fd, 1) == 0);
	close(fd);

	fd = sockbroker_socket_spec("AF_BLUETOOTH:SOCK_SEQPACKET:BTPROTO_SCO@00:00:00:00:00:00");
	CHECK(fd >= 0);
	CHECK(is_socket(fd, AF_BLUETOOTH, SOCK_SEQPACKET));
	len = sizeof(sco_got);
	CHECK(getsockname(fd, (struct sockaddr *)&sco_got, &len) == 0);
	CHECK(sco_got.sco_family == AF_BLUETOOTH);
	close(fd);
	return 0;
}

static int client_bluetooth(void)
{
	return bluetooth_monitor() || bluetooth_mgmt() || bluetooth_binds();
}
#else
/* Without BlueZ's headers the codec has no Bluetooth addresses: sockets
 * are still brokered, binds are refused for want of an address format. */
static int client_bluetooth(void)
{
	static const struct {
		int type, protocol;
	} kinds[] = {
		{SOCK_SEQPACKET, BTPROTO_L2CAP},
		{SOCK_STREAM, BTPROTO_RFCOMM},
		{SOCK_SEQPACKET, BTPROTO_SCO},
		{SOCK_RAW, BTPROTO_HCI},
	};

	/* struct sockaddr_hci: the management channel of no device. */
	struct {
		sa_family_t family;
		uint16_t dev, channel;
	} hci = {AF_BLUETOOTH, 0xffff, 3};
	int fd;

	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		fd = sockbroker_socket(AF_BLUETOOTH, kinds[i].type, kinds[i].protocol);
		CHECK(fd >= 0);
		CHECK(is_socket(fd, AF_BLUETOOTH, kinds[i].type));
		close(fd);
	}
	fd = sockbroker_socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
	CHECK(fd >= 0);
	CHECK_FAILS(sockbroker_bind(fd, (struct sockaddr *)&hci, sizeof(hci)), EAFNOSUPPORT);
	close(fd);
	return 0;
}
#endif

/* ----------------------------------------------------------------- QRTR */

#ifdef HAVE_LINUX_QRTR_H
/* Port 1000 of the local node needs CAP_NET_ADMIN: bound through Bind as
 * the policy allows (port=1000, so not 1001), then a datagram from another
 * brokered socket, delivered by the local node without an endpoint. */
static int client_qrtr(void)
{
	struct sockaddr_qrtr here = {0}, sender = {0}, from = {0};
	socklen_t len = sizeof(here), from_len = sizeof(from);
	char buf[64];
	int rx, tx;

	rx = sockbroker_socket(AF_QIPCRTR, SOCK_DGRAM, 0);
	CHECK(rx >= 0);
	CHECK(is_socket(rx, AF_QIPCRTR, SOCK_DGRAM));
	/* Unbound, the socket's address names the local node. */
	CHECK(getsockname(rx, (struct sockaddr *)&here, &len) == 0);
	CHECK(here.sq_family == AF_QIPCRTR);
	here.sq_port = 1000;
	CHECK_FAILS(bind(rx, (struct sockaddr *)&here, sizeof(here)), EACCES);
	here.sq_port = 1001;
	CHECK_FAILS(sockbroker_bind(rx, (struct sockaddr *)&here, sizeof(here)), EACCES);
	here.sq_port = 1000;
	CHECK(sockbroker_bind(rx, (struct sockaddr *)&here, sizeof(here)) == 0);
	len = sizeof(here);
	CHECK(getsockname(rx, (struct sockaddr *)&here, &len) == 0);
	CHECK(here.sq_port == 1000);

	tx = sockbroker_socket(AF_QIPCRTR, SOCK_DGRAM, 0);
	CHECK(tx >= 0);
	CHECK(sendto(tx, "qrtr", 4, 0, (struct sockaddr *)&here, sizeof(here)) == 4);
	CHECK(sb_vm_readable(rx));
	CHECK(recvfrom(rx, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len) == 4);
	CHECK_BYTES(buf, "qrtr", 4);
	len = sizeof(sender);
	CHECK(getsockname(tx, (struct sockaddr *)&sender, &len) == 0);
	CHECK(from.sq_node == sender.sq_node && from.sq_port == sender.sq_port);
	close(tx);
	close(rx);
	return 0;
}
#endif

/* --------------------------------------------------------------- policy */

/* A policy that grants none of them refuses each, naming the family. */
static int client_not_granted(void)
{
	static const struct {
		int family, type, protocol;
		const char *name;
	} refused[] = {
		{AF_TIPC, SOCK_RDM, 0, "AF_TIPC"},
		{AF_RDS, SOCK_SEQPACKET, 0, "AF_RDS"},
		{AF_VSOCK, SOCK_STREAM, 0, "AF_VSOCK"},
		{AF_QIPCRTR, SOCK_DGRAM, 0, "AF_QIPCRTR"},
		{AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI, "AF_BLUETOOTH"},
		{AF_CAN, SOCK_DGRAM, CAN_J1939, "CAN_J1939"},
		{AF_INET, SOCK_STREAM, IPPROTO_SCTP, "IPPROTO_SCTP"},
	};

	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		CHECK_FAILS(
			sockbroker_socket(refused[i].family, refused[i].type, refused[i].protocol),
			EACCES);
		CHECK(strstr(sockbroker_last_message(), refused[i].name));
	}
	return 0;
}

/* ------------------------------------------------------ the test's side */

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

START_TEST(tipc_rdm_by_service_name)
{
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_TIPC, SOCK_RDM, 0, "AF_TIPC");
	run_client(policy, client_tipc);
}
END_TEST

START_TEST(rds_datagram_bound_as_sockaddr_in)
{
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_RDS, SOCK_SEQPACKET, 0, "AF_RDS");
	run_client(policy, client_rds);
}
END_TEST

START_TEST(vsock_loopback_on_privileged_ports)
{
	char why[128];
	int fd;

	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_VSOCK, SOCK_STREAM, 0, "AF_VSOCK");
	/* AF_VSOCK without vsock_loopback cannot reach VMADDR_CID_LOCAL. */
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	if (bind(fd,
		 (struct sockaddr *)&(struct sockaddr_vm){.svm_family = AF_VSOCK,
							  .svm_cid = VMADDR_CID_LOCAL,
							  .svm_port = VMADDR_PORT_ANY},
		 sizeof(struct sockaddr_vm)) < 0) {
		snprintf(why, sizeof(why), "no VSOCK loopback transport in this kernel (%s)",
			 strerrorname_np(errno));
		close(fd);
		ck_assert_msg(!sb_test_in_vm(), "in the VM: %s", why);
		SB_SKIP("%s; run it in the VM", why);
	}
	close(fd);
	run_client(policy, client_vsock);
}
END_TEST

START_TEST(sctp_on_privileged_ports)
{
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_INET, SOCK_STREAM, IPPROTO_SCTP, "SCTP");
	run_client(policy, client_sctp);
}
END_TEST

START_TEST(j1939_frames_on_vcan0)
{
#if defined(HAVE_LINUX_CAN_J1939_H) && defined(CAN_J1939)
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_J1939, "CAN_J1939");
	can_ifindex = (int)if_nametoindex(CAN_IFNAME);
	if (can_ifindex == 0) {
		ck_assert_msg(!sb_test_in_vm(), "in the VM: no " CAN_IFNAME);
		SB_SKIP("no " CAN_IFNAME " interface; run it in the VM");
	}
	run_client(policy, client_j1939);
#else
	ck_assert_msg(!sb_test_in_vm(), "built without <linux/can/j1939.h>");
	SB_SKIP("built without <linux/can/j1939.h>");
#endif
}
END_TEST

START_TEST(bluetooth_each_protocol_without_a_controller)
{
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI, "AF_BLUETOOTH");
	SB_NEED_KERNEL(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP, "Bluetooth L2CAP");
	SB_NEED_KERNEL(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM, "Bluetooth RFCOMM");
	SB_NEED_KERNEL(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_SCO, "Bluetooth SCO");
	run_client(policy, client_bluetooth);
}
END_TEST

START_TEST(qrtr_privileged_port_and_datagram)
{
#ifdef HAVE_LINUX_QRTR_H
	SB_NEED_SANDBOX();
	SB_NEED_KERNEL(AF_QIPCRTR, SOCK_DGRAM, 0, "AF_QIPCRTR");
	run_client(policy, client_qrtr);
#else
	ck_assert_msg(!sb_test_in_vm(), "built without <linux/qrtr.h>");
	SB_SKIP("built without <linux/qrtr.h>");
#endif
}
END_TEST

START_TEST(families_not_granted_are_refused)
{
	SB_NEED_SANDBOX();
	/* The refusals must come from the policy, not from the kernel. */
	SB_NEED_KERNEL(AF_TIPC, SOCK_RDM, 0, "AF_TIPC");
	SB_NEED_KERNEL(AF_RDS, SOCK_SEQPACKET, 0, "AF_RDS");
	SB_NEED_KERNEL(AF_VSOCK, SOCK_STREAM, 0, "AF_VSOCK");
	SB_NEED_KERNEL(AF_QIPCRTR, SOCK_DGRAM, 0, "AF_QIPCRTR");
	SB_NEED_KERNEL(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI, "AF_BLUETOOTH");
	SB_NEED_KERNEL(AF_CAN, SOCK_DGRAM, CAN_J1939, "CAN_J1939");
	SB_NEED_KERNEL(AF_INET, SOCK_STREAM, IPPROTO_SCTP, "SCTP");
	run_client(policy_can_raw_only, client_not_granted);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm-families");

	SB_TEST(s, tipc_rdm_by_service_name);
	SB_TEST(s, rds_datagram_bound_as_sockaddr_in);
	SB_TEST(s, vsock_loopback_on_privileged_ports);
	SB_TEST(s, sctp_on_privileged_ports);
	SB_TEST(s, j1939_frames_on_vcan0);
	SB_TEST(s, bluetooth_each_protocol_without_a_controller);
	SB_TEST(s, qrtr_privileged_port_and_datagram);
	SB_TEST(s, families_not_granted_are_refused);
	return sb_test_run(s);
}
