/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The constant tables: names and numbers both ways, preferred names for
 * shared values, per-family protocols, number parsing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#endif

#include "proto/consts.h"
#include "tests/testlib.h"

static int64_t value_of(enum sb_const_group group, const char *name)
{
	int64_t v = -12345;
	int r = sb_const_value(group, name, &v);

	ck_assert_msg(r == 0, "%s: %d", name, r);
	return v;
}

/* name has value in group, and is the name reported for it. */
static void assert_pair(enum sb_const_group group, const char *name, int64_t value)
{
	const char *back = sb_const_name(group, value);

	ck_assert_int_eq(value_of(group, name), value);
	ck_assert_msg(back && strcmp(back, name) == 0, "%lld: got %s, expected %s",
		      (long long)value, back ? back : "(null)", name);
}

START_TEST(test_address_families)
{
	assert_pair(SB_C_AF, "AF_UNIX", AF_UNIX);
	assert_pair(SB_C_AF, "AF_INET", AF_INET);
	assert_pair(SB_C_AF, "AF_INET6", AF_INET6);
	assert_pair(SB_C_AF, "AF_NETLINK", AF_NETLINK);
	assert_pair(SB_C_AF, "AF_PACKET", AF_PACKET);
	assert_pair(SB_C_AF, "AF_CAN", AF_CAN);
	assert_pair(SB_C_AF, "AF_TIPC", AF_TIPC);
	assert_pair(SB_C_AF, "AF_BLUETOOTH", AF_BLUETOOTH);
	assert_pair(SB_C_AF, "AF_ALG", AF_ALG);
	assert_pair(SB_C_AF, "AF_VSOCK", AF_VSOCK);
	assert_pair(SB_C_AF, "AF_RDS", AF_RDS);
	assert_pair(SB_C_AF, "AF_DECnet", AF_DECnet);
	/* Aliases resolve, but the usual name is the one reported. */
	ck_assert_int_eq(value_of(SB_C_AF, "AF_LOCAL"), AF_UNIX);
	ck_assert_int_eq(value_of(SB_C_AF, "AF_ROUTE"), AF_NETLINK);
	ck_assert_int_eq(value_of(SB_C_AF, "PF_CAN"), AF_CAN);
	ck_assert_int_eq(value_of(SB_C_AF, "PF_PACKET"), AF_PACKET);
	ck_assert_ptr_null(sb_const_name(SB_C_AF, 4242));
}
END_TEST

START_TEST(test_socket_types_and_flags)
{
	assert_pair(SB_C_SOCK, "SOCK_STREAM", SOCK_STREAM);
	assert_pair(SB_C_SOCK, "SOCK_DGRAM", SOCK_DGRAM);
	assert_pair(SB_C_SOCK, "SOCK_RAW", SOCK_RAW);
	assert_pair(SB_C_SOCK, "SOCK_RDM", SOCK_RDM);
	assert_pair(SB_C_SOCK, "SOCK_SEQPACKET", SOCK_SEQPACKET);
	assert_pair(SB_C_SOCK_FLAG, "SOCK_NONBLOCK", SOCK_NONBLOCK);
	assert_pair(SB_C_SOCK_FLAG, "SOCK_CLOEXEC", SOCK_CLOEXEC);
	/* Groups do not leak into each other. */
	ck_assert_int_eq(sb_const_value(SB_C_SOCK, "SOCK_NONBLOCK", NULL), -ENOENT);
	ck_assert_int_eq(sb_const_value(SB_C_SOCK_FLAG, "SOCK_STREAM", NULL), -ENOENT);
}
END_TEST

START_TEST(test_ip_protocols)
{
	assert_pair(SB_C_IPPROTO, "IPPROTO_IP", IPPROTO_IP);
	assert_pair(SB_C_IPPROTO, "IPPROTO_ICMP", IPPROTO_ICMP);
	assert_pair(SB_C_IPPROTO, "IPPROTO_TCP", IPPROTO_TCP);
	assert_pair(SB_C_IPPROTO, "IPPROTO_UDP", IPPROTO_UDP);
	assert_pair(SB_C_IPPROTO, "IPPROTO_ICMPV6", IPPROTO_ICMPV6);
	assert_pair(SB_C_IPPROTO, "IPPROTO_SCTP", IPPROTO_SCTP);
	assert_pair(SB_C_IPPROTO, "IPPROTO_UDPLITE", IPPROTO_UDPLITE);
	assert_pair(SB_C_IPPROTO, "IPPROTO_RAW", IPPROTO_RAW);
	/* IPPROTO_HOPOPTS shares 0 with IPPROTO_IP. */
	ck_assert_int_eq(value_of(SB_C_IPPROTO, "IPPROTO_HOPOPTS"), 0);
}
END_TEST

START_TEST(test_ethertypes_host_order)
{
	assert_pair(SB_C_ETH_P, "ETH_P_ALL", 0x0003);
	assert_pair(SB_C_ETH_P, "ETH_P_IP", 0x0800);
	assert_pair(SB_C_ETH_P, "ETH_P_ARP", 0x0806);
	assert_pair(SB_C_ETH_P, "ETH_P_IPV6", 0x86dd);
	assert_pair(SB_C_ETH_P, "ETH_P_8021Q", 0x8100);
	assert_pair(SB_C_ETH_P, "ETH_P_CAN", ETH_P_CAN);
	assert_pair(SB_C_ETH_P, "ETH_P_LLDP", 0x88cc);
}
END_TEST

START_TEST(test_packet_protocol_byte_order)
{
	int p = -1;

	/* Names become what socket() takes: network byte order. */
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "ETH_P_ALL", &p), 0);
	ck_assert_int_eq(p, htons(ETH_P_ALL));
	ck_assert_int_eq(p, 768);
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "ETH_P_IP", &p), 0);
	ck_assert_int_eq(p, htons(ETH_P_IP));
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "ETH_P_IPV6", &p), 0);
	ck_assert_int_eq(p, htons(ETH_P_IPV6));
	/* Numbers are taken as they are. */
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "768", &p), 0);
	ck_assert_int_eq(p, 768);
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "0x0800", &p), 0);
	ck_assert_int_eq(p, 0x800);
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "65535", &p), 0);
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "65536", &p), -ERANGE);
	ck_assert_int_eq(sb_protocol_parse(AF_PACKET, "-1", &p), -ERANGE);
	/* And the inverse. */
	ck_assert_str_eq(sb_protocol_name(AF_PACKET, 768), "ETH_P_ALL");
	ck_assert_str_eq(sb_protocol_name(AF_PACKET, htons(ETH_P_ARP)), "ETH_P_ARP");
	ck_assert_ptr_null(sb_protocol_name(AF_PACKET, 0));
	ck_assert_ptr_null(sb_protocol_name(AF_PACKET, 65536));
	ck_assert_ptr_null(sb_protocol_name(AF_PACKET, -1));
}
END_TEST

START_TEST(test_protocols_by_family)
{
	int p = -1;

	ck_assert_int_eq(sb_protocol_group(AF_INET), SB_C_IPPROTO);
	ck_assert_int_eq(sb_protocol_group(AF_INET6), SB_C_IPPROTO);
	ck_assert_int_eq(sb_protocol_group(AF_PACKET), SB_C_ETH_P);
	ck_assert_int_eq(sb_protocol_group(AF_CAN), SB_C_CAN);
	ck_assert_int_eq(sb_protocol_group(AF_NETLINK), SB_C_NETLINK);
	ck_assert_int_eq(sb_protocol_group(AF_BLUETOOTH), SB_C_BTPROTO);
	ck_assert_int_eq(sb_protocol_group(AF_UNIX), SB_C_MAX_GROUP);

	ck_assert_int_eq(sb_protocol_parse(AF_INET, "IPPROTO_ICMP", &p), 0);
	ck_assert_int_eq(p, IPPROTO_ICMP);
	ck_assert_int_eq(sb_protocol_parse(AF_INET6, "IPPROTO_ICMPV6", &p), 0);
	ck_assert_int_eq(p, IPPROTO_ICMPV6);
	ck_assert_int_eq(sb_protocol_parse(AF_CAN, "CAN_ISOTP", &p), 0);
	ck_assert_int_eq(p, CAN_ISOTP);
	ck_assert_int_eq(sb_protocol_parse(AF_CAN, "CAN_J1939", &p), 0);
	ck_assert_int_eq(p, CAN_J1939);
	ck_assert_int_eq(sb_protocol_parse(AF_NETLINK, "NETLINK_KOBJECT_UEVENT", &p), 0);
	ck_assert_int_eq(p, NETLINK_KOBJECT_UEVENT);
	ck_assert_int_eq(sb_protocol_parse(AF_BLUETOOTH, "BTPROTO_RFCOMM", &p), 0);
	ck_assert_int_eq(p, 3);
	ck_assert_int_eq(sb_protocol_parse(AF_UNIX, "0", &p), 0);
	ck_assert_int_eq(p, 0);

	/* A name from another family's table is unknown here. */
	ck_assert_int_eq(sb_protocol_parse(AF_INET, "CAN_RAW", &p), -ENOENT);
	ck_assert_int_eq(sb_protocol_parse(AF_CAN, "IPPROTO_TCP", &p), -ENOENT);
	ck_assert_int_eq(sb_protocol_parse(AF_UNIX, "IPPROTO_TCP", &p), -ENOENT);
	ck_assert_int_eq(sb_protocol_parse(AF_INET, "", &p), -EINVAL);
	ck_assert_int_eq(sb_protocol_parse(AF_INET, NULL, &p), -EINVAL);
	ck_assert_int_eq(sb_protocol_parse(AF_INET, "IPPROTO TCP", &p), -EINVAL);
	ck_assert_int_eq(sb_protocol_parse(AF_INET, "2147483648", &p), -ERANGE);

	ck_assert_str_eq(sb_protocol_name(AF_INET, IPPROTO_TCP), "IPPROTO_TCP");
	ck_assert_str_eq(sb_protocol_name(AF_INET6, 0), "IPPROTO_IP");
	ck_assert_str_eq(sb_protocol_name(AF_CAN, CAN_RAW), "CAN_RAW");
	ck_assert_str_eq(sb_protocol_name(AF_NETLINK, NETLINK_ROUTE), "NETLINK_ROUTE");
	ck_assert_ptr_null(sb_protocol_name(AF_UNIX, 0));
	ck_assert_ptr_null(sb_protocol_name(AF_INET, 253));
}
END_TEST

START_TEST(test_sockopt_groups)
{
	ck_assert_int_eq(sb_sockopt_group(SOL_SOCKET), SB_C_SO);
	ck_assert_int_eq(sb_sockopt_group(SOL_IP), SB_C_IP);
	ck_assert_int_eq(sb_sockopt_group(SOL_IPV6), SB_C_IPV6);
	ck_assert_int_eq(sb_sockopt_group(SOL_TCP), SB_C_TCP);
	ck_assert_int_eq(sb_sockopt_group(SOL_PACKET), SB_C_PACKET);
	ck_assert_int_eq(sb_sockopt_group(SOL_ALG), SB_C_ALG);
	ck_assert_int_eq(sb_sockopt_group(SOL_CAN_RAW), SB_C_CAN_RAW);
	ck_assert_int_eq(sb_sockopt_group(SOL_NETLINK), SB_C_NETLINK_OPT);
	ck_assert_int_eq(sb_sockopt_group(SOL_UDP), SB_C_MAX_GROUP);
	ck_assert_int_eq(sb_sockopt_group(-1), SB_C_MAX_GROUP);

	assert_pair(SB_C_SOL, "SOL_SOCKET", SOL_SOCKET);
	assert_pair(SB_C_SOL, "SOL_PACKET", SOL_PACKET);
	assert_pair(SB_C_SOL, "SOL_CAN_RAW", SOL_CAN_RAW);
	assert_pair(SB_C_SOL, "SOL_ALG", SOL_ALG);
	/* SOL_IP and SOL_TCP share 0 and 6 with Bluetooth levels. */
	assert_pair(SB_C_SOL, "SOL_IP", 0);
	assert_pair(SB_C_SOL, "SOL_TCP", 6);
}
END_TEST

START_TEST(test_socket_options)
{
	assert_pair(SB_C_SO, "SO_MARK", SO_MARK);
	assert_pair(SB_C_SO, "SO_PRIORITY", SO_PRIORITY);
	assert_pair(SB_C_SO, "SO_BINDTODEVICE", SO_BINDTODEVICE);
	assert_pair(SB_C_SO, "SO_RCVBUFFORCE", SO_RCVBUFFORCE);
	assert_pair(SB_C_SO, "SO_REUSEPORT", SO_REUSEPORT);
	assert_pair(SB_C_SO, "SO_RCVTIMEO", SO_RCVTIMEO);
	assert_pair(SB_C_IP, "IP_TRANSPARENT", IP_TRANSPARENT);
	assert_pair(SB_C_IP, "IP_FREEBIND", IP_FREEBIND);
	assert_pair(SB_C_IP, "IP_HDRINCL", IP_HDRINCL);
	assert_pair(SB_C_IP, "IP_RECVORIGDSTADDR", IP_RECVORIGDSTADDR);
	assert_pair(SB_C_IPV6, "IPV6_V6ONLY", IPV6_V6ONLY);
	assert_pair(SB_C_IPV6, "IPV6_TRANSPARENT", IPV6_TRANSPARENT);
	assert_pair(SB_C_IPV6, "IPV6_JOIN_GROUP", IPV6_JOIN_GROUP);
	assert_pair(SB_C_TCP, "TCP_NODELAY", TCP_NODELAY);
	assert_pair(SB_C_TCP, "TCP_CONGESTION", TCP_CONGESTION);
	assert_pair(SB_C_TCP, "TCP_NOTSENT_LOWAT", TCP_NOTSENT_LOWAT);
	assert_pair(SB_C_NETLINK_OPT, "NETLINK_ADD_MEMBERSHIP", NETLINK_ADD_MEMBERSHIP);
	assert_pair(SB_C_NETLINK_OPT, "NETLINK_EXT_ACK", NETLINK_EXT_ACK);
	/* Option names and protocol names of netlink are different groups. */
	ck_assert_int_eq(sb_const_value(SB_C_NETLINK, "NETLINK_ADD_MEMBERSHIP", NULL), -ENOENT);
	ck_assert_int_eq(sb_const_value(SB_C_NETLINK_OPT, "NETLINK_ROUTE", NULL), -ENOENT);
	ck_assert_int_eq(sb_const_value(SB_C_SO, "IP_TOS", NULL), -ENOENT);
}
END_TEST

START_TEST(test_packet_alg_can_options)
{
	/* Options are listed before the packet types and operations that
	 * share their values, so they are the names reported. */
	assert_pair(SB_C_PACKET, "PACKET_ADD_MEMBERSHIP", PACKET_ADD_MEMBERSHIP);
	assert_pair(SB_C_PACKET, "PACKET_FANOUT", PACKET_FANOUT);
	assert_pair(SB_C_PACKET, "PACKET_HOST", PACKET_HOST);
	ck_assert_int_eq(value_of(SB_C_PACKET, "PACKET_OUTGOING"), PACKET_OUTGOING);
	ck_assert_int_eq(value_of(SB_C_PACKET, "PACKET_BROADCAST"), PACKET_BROADCAST);
	assert_pair(SB_C_ALG, "ALG_SET_KEY", ALG_SET_KEY);
	assert_pair(SB_C_ALG, "ALG_SET_OP", ALG_SET_OP);
	assert_pair(SB_C_ALG, "ALG_OP_DECRYPT", ALG_OP_DECRYPT);
	ck_assert_int_eq(value_of(SB_C_ALG, "ALG_OP_ENCRYPT"), ALG_OP_ENCRYPT);
	/* Enumerators, compiled in through their guard macro. */
	assert_pair(SB_C_CAN_RAW, "CAN_RAW_FILTER", CAN_RAW_FILTER);
	assert_pair(SB_C_CAN_RAW, "CAN_RAW_FD_FRAMES", CAN_RAW_FD_FRAMES);
	assert_pair(SB_C_CAN_RAW, "CAN_RAW_JOIN_FILTERS", CAN_RAW_JOIN_FILTERS);
	assert_pair(SB_C_CAN, "CAN_RAW", CAN_RAW);
	assert_pair(SB_C_CAN, "CAN_BCM", CAN_BCM);
	assert_pair(SB_C_CAN, "CAN_ISOTP", CAN_ISOTP);
	assert_pair(SB_C_CAN, "CAN_J1939", CAN_J1939);
}
END_TEST

START_TEST(test_tipc_and_msg)
{
	assert_pair(SB_C_TIPC, "TIPC_ADDR_NAMESEQ", TIPC_ADDR_NAMESEQ);
	assert_pair(SB_C_TIPC, "TIPC_ADDR_NAME", TIPC_ADDR_NAME);
	assert_pair(SB_C_TIPC, "TIPC_ADDR_ID", TIPC_ADDR_ID);
	ck_assert_int_eq(value_of(SB_C_TIPC, "TIPC_ZONE_SCOPE"), TIPC_ZONE_SCOPE);
	/* Enumerators in linux/tipc.h. */
	ck_assert_int_eq(value_of(SB_C_TIPC, "TIPC_CLUSTER_SCOPE"), TIPC_CLUSTER_SCOPE);
	ck_assert_int_eq(value_of(SB_C_TIPC, "TIPC_NODE_SCOPE"), TIPC_NODE_SCOPE);
	assert_pair(SB_C_TIPC, "TIPC_IMPORTANCE", TIPC_IMPORTANCE);
	assert_pair(SB_C_MSG, "MSG_PEEK", MSG_PEEK);
	assert_pair(SB_C_MSG, "MSG_DONTWAIT", MSG_DONTWAIT);
	assert_pair(SB_C_MSG, "MSG_CMSG_CLOEXEC", MSG_CMSG_CLOEXEC);
	assert_pair(SB_C_MSG, "MSG_NOSIGNAL", MSG_NOSIGNAL);
}
END_TEST

START_TEST(test_bluetooth)
{
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	assert_pair(SB_C_BTPROTO, "BTPROTO_L2CAP", BTPROTO_L2CAP);
	assert_pair(SB_C_BTPROTO, "BTPROTO_HCI", BTPROTO_HCI);
	assert_pair(SB_C_BTPROTO, "BTPROTO_SCO", BTPROTO_SCO);
	assert_pair(SB_C_BTPROTO, "BTPROTO_RFCOMM", BTPROTO_RFCOMM);
	assert_pair(SB_C_SOL, "SOL_BLUETOOTH", SOL_BLUETOOTH);
	/* SOL_HCI shares 0 with SOL_IP and is found by name only. */
	ck_assert_int_eq(value_of(SB_C_SOL, "SOL_HCI"), 0);
#else
	SB_SKIP("built without bluetooth/bluetooth.h (install libbluetooth-dev)");
#endif
}
END_TEST

/* The names the address codec and the Socket method's "listen" take. */
START_TEST(test_address_and_backlog_names)
{
	assert_pair(SB_C_VMADDR_CID, "VMADDR_CID_ANY", VMADDR_CID_ANY);
	assert_pair(SB_C_VMADDR_CID, "VMADDR_CID_LOCAL", VMADDR_CID_LOCAL);
	assert_pair(SB_C_VMADDR_CID, "VMADDR_CID_HOST", VMADDR_CID_HOST);
	assert_pair(SB_C_VMADDR_PORT, "VMADDR_PORT_ANY", VMADDR_PORT_ANY);
	ck_assert_int_eq(value_of(SB_C_VMADDR_CID, "VMADDR_CID_ANY"), 4294967295);
#ifdef HAVE_LINUX_QRTR_H
	assert_pair(SB_C_QRTR_NODE, "QRTR_NODE_BCAST", QRTR_NODE_BCAST);
	assert_pair(SB_C_QRTR_PORT, "QRTR_PORT_CTRL", QRTR_PORT_CTRL);
#endif
	assert_pair(SB_C_BACKLOG, "SOMAXCONN", SOMAXCONN);
}
END_TEST

START_TEST(test_errno_names)
{
	int named = 0;

	assert_pair(SB_C_ERRNO, "EPERM", EPERM);
	assert_pair(SB_C_ERRNO, "EACCES", EACCES);
	assert_pair(SB_C_ERRNO, "EAFNOSUPPORT", EAFNOSUPPORT);
	assert_pair(SB_C_ERRNO, "EHWPOISON", EHWPOISON);
	/* Aliases resolve; the usual name is reported. */
	assert_pair(SB_C_ERRNO, "EAGAIN", EAGAIN);
	ck_assert_int_eq(value_of(SB_C_ERRNO, "EWOULDBLOCK"), EAGAIN);
	assert_pair(SB_C_ERRNO, "EOPNOTSUPP", EOPNOTSUPP);
	ck_assert_int_eq(value_of(SB_C_ERRNO, "ENOTSUP"), EOPNOTSUPP);
	assert_pair(SB_C_ERRNO, "EDEADLK", EDEADLK);
	ck_assert_int_eq(value_of(SB_C_ERRNO, "EDEADLOCK"), EDEADLK);

	/* Every errno Linux has a name for: 41 and 58 are unused numbers. */
	for (int e = 1; e <= EHWPOISON; e++) {
		if (e == 41 || e == 58)
			continue;
		ck_assert_msg(sb_const_name(SB_C_ERRNO, e), "errno %d has no name", e);
		named++;
	}
	ck_assert_int_eq(named, EHWPOISON - 2);
	ck_assert_ptr_null(sb_const_name(SB_C_ERRNO, 0));
	ck_assert_ptr_null(sb_const_name(SB_C_ERRNO, 41));
}
END_TEST

START_TEST(test_number_parsing)
{
	static const struct {
		const char *text;
		int result;
		int64_t value;
	} cases[] = {
		{"0", 0, 0},
		{"2", 0, 2},
		{"17", 0, 17},
		{"0x11", 0, 17},
		{"0X11", 0, 17},
		{"0xfF", 0, 255},
		{"-1", 0, -1},
		{"9223372036854775807", 0, INT64_MAX},
		{"-9223372036854775808", 0, INT64_MIN},
		{"0x7fffffffffffffff", 0, INT64_MAX},
		{"9223372036854775808", -ERANGE, 0},
		{"-9223372036854775809", -ERANGE, 0},
		{"0x8000000000000000", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"", -EINVAL, 0},
		{"0x", -EINVAL, 0},
		{"-", -EINVAL, 0},
		{"12abc", -EINVAL, 0},
		{"0xfg", -EINVAL, 0},
		{"-0x1", -EINVAL, 0},
		{"010", -EINVAL, 0},
		{" 2", -EINVAL, 0},
		{"2 ", -EINVAL, 0},
		{"+2", -EINVAL, 0},
		{"1e3", -EINVAL, 0},
		{"AF_INET", 0, AF_INET},
		{"AF_NOPE", -ENOENT, 0},
		{"af_inet", -ENOENT, 0},
		{"AF_INE", -ENOENT, 0},
		{"AF_INET ", -EINVAL, 0},
		{"AF-INET", -EINVAL, 0},
		{"SOCK_STREAM", -ENOENT, 0},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int64_t v = -777;
		int r = sb_const_parse(SB_C_AF, cases[i].text, &v);

		ck_assert_msg(r == cases[i].result, "'%s': got %d, expected %d", cases[i].text, r,
			      cases[i].result);
		if (r == 0)
			ck_assert_msg(v == cases[i].value, "'%s': got %lld", cases[i].text,
				      (long long)v);
		else
			ck_assert_msg(v == -777, "'%s': *ret changed on failure", cases[i].text);
	}
	ck_assert_int_eq(sb_const_parse(SB_C_AF, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_invalid_groups)
{
	int64_t v;

	ck_assert_int_eq(sb_const_value(SB_C_MAX_GROUP, "AF_INET", &v), -EINVAL);
	ck_assert_int_eq(sb_const_value((enum sb_const_group) - 1, "AF_INET", &v), -EINVAL);
	ck_assert_int_eq(sb_const_value(SB_C_AF, NULL, &v), -EINVAL);
	ck_assert_int_eq(sb_const_parse(SB_C_MAX_GROUP, "1", &v), -EINVAL);
	ck_assert_ptr_null(sb_const_name(SB_C_MAX_GROUP, 0));
	ck_assert_ptr_null(sb_const_name((enum sb_const_group) - 1, 0));
	ck_assert_str_eq(sb_const_group_name(SB_C_AF), "address family");
	ck_assert_str_eq(sb_const_group_name(SB_C_MAX_GROUP), "constant");
	/* Every group has a distinct, non-empty name for messages. */
	for (int g = 0; g < SB_C_MAX_GROUP; g++) {
		ck_assert_ptr_nonnull(sb_const_group_name(g));
		ck_assert_str_ne(sb_const_group_name(g), "");
		for (int h = 0; h < g; h++)
			ck_assert_str_ne(sb_const_group_name(g), sb_const_group_name(h));
	}
}
END_TEST

static enum sb_const_group group_of(const char *suffix)
{
	static const char *const names[SB_C_MAX_GROUP] = {
		[SB_C_AF] = "AF",
		[SB_C_SOCK] = "SOCK",
		[SB_C_SOCK_FLAG] = "SOCK_FLAG",
		[SB_C_IPPROTO] = "IPPROTO",
		[SB_C_ETH_P] = "ETH_P",
		[SB_C_CAN] = "CAN",
		[SB_C_NETLINK] = "NETLINK",
		[SB_C_BTPROTO] = "BTPROTO",
		[SB_C_SOL] = "SOL",
		[SB_C_SO] = "SO",
		[SB_C_IP] = "IP",
		[SB_C_IPV6] = "IPV6",
		[SB_C_TCP] = "TCP",
		[SB_C_PACKET] = "PACKET",
		[SB_C_ALG] = "ALG",
		[SB_C_CAN_RAW] = "CAN_RAW",
		[SB_C_NETLINK_OPT] = "NETLINK_OPT",
		[SB_C_TIPC] = "TIPC",
		[SB_C_MSG] = "MSG",
		[SB_C_ERRNO] = "ERRNO",
		[SB_C_VMADDR_CID] = "VMADDR_CID",
		[SB_C_VMADDR_PORT] = "VMADDR_PORT",
		[SB_C_QRTR_NODE] = "QRTR_NODE",
		[SB_C_QRTR_PORT] = "QRTR_PORT",
		[SB_C_BACKLOG] = "BACKLOG",
	};

	for (int g = 0; g < SB_C_MAX_GROUP; g++)
		if (strcmp(names[g], suffix) == 0)
			return g;
	return SB_C_MAX_GROUP;
}

/* Every entry of the list that this build has resolves by name, and its
 * value's reported name is the first entry with that value in the list. */
START_TEST(test_whole_list)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096], line[256];
	int found[SB_C_MAX_GROUP] = {0}, total = 0;
	static struct {
		enum sb_const_group g;
		int64_t v;
	} seen[4096];
	size_t n_seen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proto/consts.list", srcdir ? srcdir : ".");
	f = fopen(path, "re");
	if (!f)
		SB_SKIP("%s not found (run from the source tree or under make check)", path);
	while (fgets(line, sizeof(line), f)) {
		char group[32], name[64];
		enum sb_const_group g;
		const char *back;
		int64_t v, w;

		if (line[0] == '#' || sscanf(line, "%31s %63s", group, name) != 2)
			continue;
		g = group_of(group);
		ck_assert_msg(g != SB_C_MAX_GROUP, "unknown group %s", group);
		if (sb_const_value(g, name, &v) < 0)
			continue; /* not defined by these headers */
		back = sb_const_name(g, v);
		ck_assert_ptr_nonnull(back);
		ck_assert_int_eq(sb_const_value(g, back, &w), 0);
		ck_assert_int_eq(v, w);
		{
			bool first = true;

			for (size_t i = 0; i < n_seen && first; i++)
				first = !(seen[i].g == g && seen[i].v == v);
			if (first) {
				ck_assert_msg(strcmp(back, name) == 0, "%s: reported as %s", name,
					      back);
				ck_assert_uint_lt(n_seen, ELEMENTSOF(seen));
				seen[n_seen].g = g;
				seen[n_seen++].v = v;
			}
		}
		found[g]++;
		total++;
	}
	fclose(f);
	for (int g = 0; g < SB_C_MAX_GROUP; g++) {
#ifndef HAVE_BLUETOOTH_BLUETOOTH_H
		if (g == SB_C_BTPROTO)
			continue;
#endif
		ck_assert_msg(found[g] > 0, "group %s is empty", sb_const_group_name(g));
	}
	ck_assert_msg(total > 600, "only %d constants", total);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("consts");

	SB_TEST(s, test_address_families);
	SB_TEST(s, test_socket_types_and_flags);
	SB_TEST(s, test_ip_protocols);
	SB_TEST(s, test_ethertypes_host_order);
	SB_TEST(s, test_packet_protocol_byte_order);
	SB_TEST(s, test_protocols_by_family);
	SB_TEST(s, test_sockopt_groups);
	SB_TEST(s, test_socket_options);
	SB_TEST(s, test_packet_alg_can_options);
	SB_TEST(s, test_tipc_and_msg);
	SB_TEST(s, test_bluetooth);
	SB_TEST(s, test_address_and_backlog_names);
	SB_TEST(s, test_errno_names);
	SB_TEST(s, test_number_parsing);
	SB_TEST(s, test_invalid_groups);
	SB_TEST(s, test_whole_list);
	return sb_test_run(s);
}
