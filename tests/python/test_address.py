# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every family's address tuples, both ways, without a broker: the
socket module's tuple to the broker's object (docs/PROTOCOL.md, "Addresses")
and a reply's object back to the tuple socket.getsockname() gives."""

import errno
import socket
import unittest

import sockbroker
from sockbroker import _address
from sockbroker._broker import _broker_error

A = _address


class AddressCase(unittest.TestCase):
    def both_ways(self, family, proto, address, obj, reply=None, back=None):
        """address -> obj, and reply (default obj) -> back (default address)."""
        self.assertEqual(A.to_json(family, proto, address), obj)
        self.assertEqual(
            A.from_json(family, proto, obj if reply is None else reply),
            address if back is None else back,
        )


class Inet(AddressCase):
    def test_host_port(self):
        """AF_INET (host, port) both ways"""
        self.both_ways(A.AF_INET, 0, ("127.0.0.1", 80), {"host": "127.0.0.1", "port": 80})

    def test_any_and_broadcast(self):
        """AF_INET '' and '<broadcast>' go as they are; replies name the numbers"""
        self.both_ways(
            A.AF_INET, 0, ("", 80), {"host": "", "port": 80},
            {"host": "0.0.0.0", "port": 80}, ("0.0.0.0", 80),
        )
        self.both_ways(
            A.AF_INET, 0, ("<broadcast>", 67), {"host": "<broadcast>", "port": 67},
            {"host": "255.255.255.255", "port": 67}, ("255.255.255.255", 67),
        )

    def test_names_resolved_here(self):
        """AF_INET host names are resolved in the client, as socket.bind() does"""
        self.assertEqual(A.to_json(A.AF_INET, 0, ("localhost", 7))["host"], "127.0.0.1")
        self.assertEqual(A.to_json(A.AF_INET, 0, (b"127.1", 7))["host"], "127.0.0.1")
        with self.assertRaises(socket.gaierror):
            A.to_json(A.AF_INET, 0, ("no-such-host.invalid", 7))

    def test_refused_as_socket_bind_refuses(self):
        """AF_INET: wrong shapes and ports raise what socket.bind() raises"""
        s = socket.socket()
        self.addCleanup(s.close)
        for bad in ["127.0.0.1", ("127.0.0.1",), ("127.0.0.1", 1, 2)]:
            self.assertRaises(TypeError, A.to_json, A.AF_INET, 0, bad)
            self.assertRaises(TypeError, s.bind, bad)
        self.assertRaises(OverflowError, A.to_json, A.AF_INET, 0, ("127.0.0.1", 65536))
        self.assertRaises(OverflowError, s.bind, ("127.0.0.1", 65536))
        self.assertRaises(TypeError, A.to_json, A.AF_INET, 0, ("127.0.0.1", "80"))


class Inet6(AddressCase):
    def test_four_tuple(self):
        """AF_INET6 (host, port, flowinfo, scope_id) both ways"""
        self.both_ways(
            A.AF_INET6, 0, ("fe80::1", 80, 5, 1),
            {"host": "fe80::1", "port": 80, "flowinfo": 5, "scope_id": 1},
        )

    def test_short_forms(self):
        """AF_INET6 flowinfo and scope_id may be left out; '' is ::"""
        obj = {"host": "::1", "port": 80, "flowinfo": 0, "scope_id": 0}
        self.both_ways(A.AF_INET6, 0, ("::1", 80), obj, back=("::1", 80, 0, 0))
        self.both_ways(
            A.AF_INET6, 0, ("", 81), {"host": "", "port": 81, "flowinfo": 0, "scope_id": 0},
            {"host": "::", "port": 81, "flowinfo": 0, "scope_id": 0}, ("::", 81, 0, 0),
        )

    def test_scope_by_name(self):
        """AF_INET6: a reply's scope_id name is the interface's index"""
        lo = socket.if_nametoindex("lo")
        self.assertEqual(
            A.from_json(A.AF_INET6, 0, {"host": "fe80::1", "port": 1, "flowinfo": 0, "scope_id": "lo"}),
            ("fe80::1", 1, 0, lo),
        )
        self.assertEqual(A.to_json(A.AF_INET6, 0, ("fe80::1%lo", 1))["scope_id"], lo)

    def test_ranges(self):
        """AF_INET6: flowinfo beyond 20 bits and bad shapes are refused"""
        self.assertRaises(OverflowError, A.to_json, A.AF_INET6, 0, ("::1", 80, 1 << 20))
        self.assertRaises(TypeError, A.to_json, A.AF_INET6, 0, ("::1",))


class Others(AddressCase):
    def test_unix(self):
        """AF_UNIX path and abstract name both ways"""
        self.both_ways(A.AF_UNIX, 0, "/run/x.sock", {"path": "/run/x.sock"})
        self.both_ways(A.AF_UNIX, 0, b"\0name", {"abstract": "name"})

    def test_netlink(self):
        """AF_NETLINK (pid, groups) both ways"""
        self.both_ways(A.AF_NETLINK, 0, (0, 1), {"pid": 0, "groups": 1})

    def test_tipc(self):
        """AF_TIPC (addr_type, v1, v2, v3, scope) both ways, names in replies"""
        obj = {"addr_type": 2, "v1": 1000, "v2": 1, "v3": 0, "scope": 2}
        self.both_ways(
            A.AF_TIPC, 0, (2, 1000, 1, 0, 2), obj,
            {"addr_type": "TIPC_ADDR_NAME", "v1": 1000, "v2": 1, "v3": 0,
             "scope": "TIPC_CLUSTER_SCOPE"},
        )
        self.assertEqual(
            A.to_json(A.AF_TIPC, 0, (1, 18888, 17, 17)),
            {"addr_type": 1, "v1": 18888, "v2": 17, "v3": 17},
        )
        if hasattr(socket, "TIPC_ADDR_NAME"):
            self.assertEqual(socket.TIPC_ADDR_NAME, 2)
            self.assertEqual(socket.TIPC_CLUSTER_SCOPE, 2)

    def test_can(self):
        """AF_CAN (ifname,), ISO-TP (ifname, rx, tx), J1939 (ifname, name, pgn, addr)"""
        self.both_ways(A.AF_CAN, 1, ("vcan0",), {"ifname": "vcan0"})
        self.both_ways(A.AF_CAN, 2, ("",), {"ifname": ""})
        self.both_ways(
            A.AF_CAN, A.CAN_ISOTP, ("vcan0", 0x123, 0x321),
            {"ifname": "vcan0", "rx_id": 0x123, "tx_id": 0x321},
        )
        self.both_ways(
            A.AF_CAN, A.CAN_J1939, ("vcan0", 0, 0xF000, 0x20),
            {"ifname": "vcan0", "name": 0, "pgn": 0xF000, "addr": 0x20},
        )
        self.assertEqual(A.to_json(A.AF_CAN, 1, (b"vcan0",)), {"ifname": "vcan0"})
        self.assertRaises(TypeError, A.to_json, A.AF_CAN, 1, "vcan0")
        self.assertRaises(TypeError, A.to_json, A.AF_CAN, A.CAN_ISOTP, ("vcan0",))

    def test_packet(self):
        """AF_PACKET (ifname, proto, pkttype, hatype, addr), proto in host byte order"""
        self.both_ways(
            A.AF_PACKET, 0, ("lo", 3), {"ifname": "lo", "protocol": 768},
            {"ifname": "lo", "protocol": "ETH_P_ALL", "pkttype": 0, "hatype": 772,
             "addr": "00:00:00:00:00:00"},
            ("lo", 3, 0, 772, bytes(6)),
        )
        self.both_ways(
            A.AF_PACKET, 0, ("eth0", 0x0800, 4, 1, b"\x00\x11\x22\x33\x44\x55"),
            {"ifname": "eth0", "protocol": 8, "pkttype": 4, "hatype": 1,
             "addr": "00:11:22:33:44:55"},
        )
        self.assertEqual(
            A.from_json(A.AF_PACKET, 0, {"ifname": "lo", "protocol": "ETH_P_IP",
                                         "pkttype": "PACKET_OUTGOING"})[:3],
            ("lo", 0x0800, 4),
        )
        self.assertRaises(ValueError, A.to_json, A.AF_PACKET, 0, ("lo", 3, 0, 0, bytes(9)))
        self.assertRaises(OverflowError, A.to_json, A.AF_PACKET, 0, ("lo", 0x10000))

    def test_alg(self):
        """AF_ALG (type, name[, feat[, mask]]) both ways"""
        self.both_ways(
            A.AF_ALG, 0, ("hash", "sha256"), {"type": "hash", "name": "sha256"},
            back=("hash", "sha256", 0, 0),
        )
        self.both_ways(
            A.AF_ALG, 0, ("skcipher", "cbc(aes)", 1, 2),
            {"type": "skcipher", "name": "cbc(aes)", "feat": 1, "mask": 2},
        )

    def test_vsock(self):
        """AF_VSOCK (cid, port) both ways"""
        self.both_ways(A.AF_VSOCK, 0, (2, 1234), {"cid": 2, "port": 1234})

    def test_qrtr(self):
        """AF_QIPCRTR (node, port) both ways"""
        self.both_ways(A.AF_QIPCRTR, 0, (1, 1000), {"node": 1, "port": 1000})
        self.assertRaises(OverflowError, A.to_json, A.AF_QIPCRTR, 0, (1, 1 << 32))

    def test_rds(self):
        """AF_RDS (host, port) both ways"""
        self.both_ways(A.AF_RDS, 0, ("127.0.0.1", 4000), {"host": "127.0.0.1", "port": 4000})

    def test_bluetooth(self):
        """AF_BLUETOOTH L2CAP, RFCOMM, HCI (device_id,) and SCO bdaddr both ways"""
        ba = "00:11:22:33:44:55"
        self.both_ways(A.AF_BLUETOOTH, A.BTPROTO_L2CAP, (ba, 1), {"bdaddr": ba, "psm": 1})
        self.both_ways(A.AF_BLUETOOTH, A.BTPROTO_RFCOMM, (ba, 3), {"bdaddr": ba, "channel": 3})
        self.both_ways(A.AF_BLUETOOTH, A.BTPROTO_HCI, (0,), {"dev": 0})
        self.both_ways(A.AF_BLUETOOTH, A.BTPROTO_SCO, ba.encode(), {"bdaddr": ba})

    def test_unknown_family(self):
        """a family without an address form: EAFNOSUPPORT"""
        with self.assertRaises(OSError) as cm:
            A.to_json(4, 0, ("x", 1))
        self.assertEqual(cm.exception.errno, errno.EAFNOSUPPORT)


class Errors(unittest.TestCase):
    def test_subclass_by_errno(self):
        """error replies become the OSError subclass of their errno, with the reason"""
        e = _broker_error(
            "org.sockbroker.PermissionDenied",
            {"errno": 13, "errno_name": "EACCES", "message": "policy denies it", "rule": "p:4"},
        )
        self.assertIsInstance(e, PermissionError)
        self.assertEqual((e.errno, e.strerror, e.rule), (13, "policy denies it", "p:4"))
        self.assertEqual(e.varlink_error, "org.sockbroker.PermissionDenied")
        self.assertIsInstance(
            _broker_error("org.sockbroker.PermissionDenied", {"errno": 1, "message": "x"}),
            PermissionError,
        )
        e = _broker_error("org.sockbroker.SystemError", {"errno": errno.EADDRINUSE, "message": "m"})
        self.assertEqual(e.errno, errno.EADDRINUSE)
        e = _broker_error(
            "org.varlink.service.InvalidParameter",
            {"errno": errno.ENODEV, "message": "no such interface", "parameter": "bind"},
        )
        self.assertEqual((e.errno, e.parameter), (errno.ENODEV, "bind"))
        e = _broker_error("org.sockbroker.LimitExceeded", {"errno": errno.ETOOMANYREFS, "message": "m"})
        self.assertEqual(e.errno, errno.ETOOMANYREFS)
        self.assertIsInstance(
            _broker_error("org.varlink.service.InterfaceNotFound", {"errno": 2}), FileNotFoundError
        )

    def test_errno_outside_the_documented_set(self):
        """an errno an error may not carry becomes the error's own"""
        e = _broker_error("org.sockbroker.PermissionDenied", {"errno": 9999, "message": "m"})
        self.assertIsInstance(e, PermissionError)
        self.assertEqual(e.errno, errno.EACCES)
        self.assertEqual(_broker_error("org.sockbroker.SystemError", {}).errno, errno.EIO)
        e = _broker_error("org.example.Other", None)
        self.assertEqual((e.errno, e.strerror), (errno.EPROTO, "org.example.Other"))

    def test_option_constants(self):
        """the brokered options have their Linux numbers"""
        self.assertEqual(sockbroker.SO_MARK, 36)
        self.assertEqual(sockbroker.SO_PRIORITY, 12)
        self.assertEqual(sockbroker.IP_TRANSPARENT, 19)
        self.assertEqual(sockbroker.IPV6_TRANSPARENT, 75)
        self.assertEqual(sockbroker.SO_RCVBUFFORCE, 33)


if __name__ == "__main__":
    unittest.main()
