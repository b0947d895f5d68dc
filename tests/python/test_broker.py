# SPDX-License-Identifier: LGPL-2.1-or-later
"""The package against the real sockbrokerd, as nobody, in a network
namespace of the suite's own (tests/check-python.sh starts both). Each
test that needs the broker first proves that nobody cannot do the same
without it."""

import errno
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

import sockbroker

SOCK = os.environ.get("SB_TEST_SOCKET")
SKIP = os.environ.get("SB_TEST_SKIP", "no broker to test against (SB_TEST_SOCKET)")
HOST = "127.0.0.1"
ETH_P_ALL = 3
ETH_P_IP = 0x0800


def needs_broker(cls):
    return unittest.skipUnless(SOCK, SKIP)(cls)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def open_files():
    """What this process's descriptors refer to, but for the module's
    connection to the broker, which an idle timeout may replace."""
    found = set()
    conn = sockbroker._default._conn
    skip = str(conn.fileno()) if conn is not None else None
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink("/proc/self/fd/" + fd)
        except OSError:
            continue
        if fd != skip:
            found.add(link)
    return found


_families = None


def broker_families():
    global _families
    if _families is None:
        _families = set(sockbroker.info()["families"])
    return _families


def need_family(test, name):
    if name not in broker_families():
        test.skipTest("the broker's kernel has no %s" % name)


class BrokerCase(unittest.TestCase):
    def keep(self, sock):
        self.addCleanup(self.release, sock)
        return sock

    @staticmethod
    def release(sock):
        # The broker drops its copy of a socket it bound a moment after
        # the reply (docs/PROTOCOL.md, "Descriptors"): a listening socket holds its
        # port until then, and the next test binds the same one.
        sock.close()
        time.sleep(0.02)

    def assert_denied_without_broker(self, fn, *args):
        with self.assertRaises(PermissionError, msg="nobody did it without the broker"):
            s = fn(*args)
            s.close()


@needs_broker
class Basics(BrokerCase):
    def test_info(self):
        """info(): the broker's version, limits, families and the caller (nobody)"""
        d = sockbroker.info()
        self.assertEqual(d["version"], sockbroker.__version__)
        self.assertEqual(d["caller"]["uid"], 65534)
        self.assertEqual(d["caller"]["pid"], os.getpid())
        self.assertIn("AF_INET", d["families"])
        self.assertIn("vsock-addresses", d["features"])
        self.assertEqual(d["limits"]["max_message"], 65536)

    def test_raw_icmp_echo(self):
        """raw ICMP: refused to nobody, from the broker a socket that pings 127.0.0.1"""
        self.assert_denied_without_broker(
            socket.socket, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP
        )
        s = self.keep(sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
        self.assertIsInstance(s, socket.socket)
        self.assertEqual((s.family, s.type, s.proto), (socket.AF_INET, socket.SOCK_RAW, 1))
        self.assertFalse(s.get_inheritable())
        ident = os.getpid() & 0xFFFF
        header = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"sockbroker"
        packet = header[:2] + struct.pack("!H", checksum(header)) + header[4:]
        s.sendto(packet, (HOST, 0))
        s.settimeout(2)
        while True:
            data, addr = s.recvfrom(1500)
            icmp = data[(data[0] & 0xF) * 4:]
            if icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident:
                break
        self.assertEqual(addr[0], HOST)
        self.assertEqual(icmp[8:], b"sockbroker")

    def test_nonblocking(self):
        """SOCK_NONBLOCK in type: the socket comes non-blocking"""
        s = self.keep(sockbroker.socket(socket.AF_INET, socket.SOCK_RAW | socket.SOCK_NONBLOCK,
                                        socket.IPPROTO_ICMP))
        self.assertFalse(s.getblocking())
        self.assertEqual(s.type, socket.SOCK_RAW)
        with self.assertRaises(BlockingIOError):
            s.recv(1)

    def test_so_mark_allowed(self):
        """SO_MARK in the policy's range: refused to nobody, set by the broker"""
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        with self.assertRaises(PermissionError):
            s.setsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK, 0x105)
        sockbroker.setsockopt(s, socket.SOL_SOCKET, sockbroker.SO_MARK, 0x105)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK), 0x105)
        sockbroker.setsockopt(s.fileno(), "SOL_SOCKET", "SO_MARK", 0x106)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK), 0x106)
        r = self.keep(sockbroker.socket(
            socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP,
            options=[(socket.SOL_SOCKET, sockbroker.SO_MARK, 0x107)]))
        self.assertEqual(r.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK), 0x107)

    def test_so_mark_denied(self):
        """SO_MARK outside the policy's range: PermissionError with the broker's reason"""
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        with self.assertRaises(PermissionError) as cm:
            sockbroker.setsockopt(s, socket.SOL_SOCKET, sockbroker.SO_MARK, 0x205)
        e = cm.exception
        self.assertEqual(e.errno, errno.EACCES)
        self.assertIn("policy denies setsockopt SO_MARK=517", e.strerror)
        self.assertEqual((e.rule, e.varlink_error), ("default", "org.sockbroker.PermissionDenied"))
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK), 0)

    def test_text_option(self):
        """TCP_CONGESTION: an algorithm name as str or bytes, decided by name"""
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sockbroker.setsockopt(s, socket.IPPROTO_TCP, sockbroker.TCP_CONGESTION, b"reno\0x")
        self.assertEqual(s.getsockopt(socket.IPPROTO_TCP, sockbroker.TCP_CONGESTION, 16)
                         .rstrip(b"\0"), b"reno")
        sockbroker.setsockopt(s, "SOL_TCP", "TCP_CONGESTION", "reno")
        with self.assertRaises(PermissionError) as cm:
            sockbroker.setsockopt(s, socket.IPPROTO_TCP, sockbroker.TCP_CONGESTION, "cubic")
        self.assertIn("policy denies setsockopt TCP_CONGESTION=cubic", cm.exception.strerror)

    def test_denials(self):
        """what the policy does not allow: PermissionError naming the request"""
        with self.assertRaises(PermissionError) as cm:
            sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        self.assertIn("policy denies socket AF_INET/SOCK_RAW/IPPROTO_UDP", str(cm.exception))
        # No socket rule for TCP: the broker creates none, even unbound.
        with self.assertRaises(PermissionError):
            sockbroker.socket(socket.AF_INET, socket.SOCK_STREAM)
        s = self.keep(socket.socket())
        with self.assertRaises(PermissionError) as cm:
            sockbroker.bind(s, (HOST, 82))
        self.assertIn("policy denies bind", str(cm.exception))
        self.assertEqual(s.getsockname(), ("0.0.0.0", 0))

    def test_other_errors(self):
        """the broker's other errors: their errno and reason"""
        with self.assertRaises(OSError) as cm:
            sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW, 0, bind=("nosuchif0", 0))
        self.assertEqual(cm.exception.errno, errno.ENODEV)
        self.assertIn("nosuchif0", cm.exception.strerror)
        u = self.keep(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        with self.assertRaises(OSError) as cm:
            sockbroker.bind(u, "/tmp/x")
        self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)
        with self.assertRaises(OSError) as cm:
            sockbroker.setsockopt(u, socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.assertEqual(cm.exception.errno, errno.EOPNOTSUPP)


@needs_broker
class Servers(BrokerCase):
    def test_create_server_port_80(self):
        """create_server(('127.0.0.1', 80)): refused to nobody, a bind rule is enough"""
        plain = self.keep(socket.socket())
        with self.assertRaises(PermissionError):
            plain.bind((HOST, 80))
        srv = self.keep(sockbroker.create_server((HOST, 80)))
        self.assertEqual(srv.getsockname(), (HOST, 80))
        self.assertEqual(srv.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1)
        self.assertEqual(srv.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 1)
        with socket.create_connection((HOST, 80), timeout=2) as c:
            conn, _ = srv.accept()
            with conn:
                c.sendall(b"ping")
                self.assertEqual(conn.recv(4), b"ping")

    def test_create_server_ipv6(self):
        """create_server on [::1]:80, IPV6_V6ONLY as socket.create_server sets it"""
        srv = self.keep(sockbroker.create_server(("::1", 80), family=socket.AF_INET6))
        self.assertEqual(srv.getsockname()[:2], ("::1", 80))
        self.assertEqual(srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 1)

    def test_create_server_error(self):
        """create_server's error names the address, as socket.create_server's"""
        with self.assertRaises(PermissionError) as cm:
            sockbroker.create_server((HOST, 82))
        self.assertIn("while attempting to bind on address ('127.0.0.1', 82)", str(cm.exception))
        self.assertEqual(cm.exception.rule, "default")

    def test_socket_bind_listen(self):
        """socket(bind=, listen=): a listening TCP socket on :80 with SO_REUSEADDR"""
        s = self.keep(sockbroker.socket(
            socket.AF_INET, socket.SOCK_STREAM,
            options=[(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1),
                     (socket.SOL_SOCKET, sockbroker.SO_MARK, 0x101)],
            bind=("localhost", 80), listen=4))
        self.assertEqual(s.getsockname(), (HOST, 80))
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK), 0x101)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), 1)

    def test_bind_returns_address(self):
        """bind() returns the address the broker reports, as getsockname() gives it"""
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        self.assertEqual(sockbroker.bind(s, ("", 81)), ("0.0.0.0", 81))
        self.assertEqual(s.getsockname(), ("0.0.0.0", 81))
        s6 = self.keep(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        self.assertEqual(sockbroker.bind(s6, ("::1", 81)), s6.getsockname())


@needs_broker
class Families(BrokerCase):
    """Each family the broker's kernel has: a tuple to the broker and back."""

    def test_packet_sniffer_on_lo(self):
        """AF_PACKET on lo: refused to nobody; from the broker it sees a UDP datagram"""
        self.assert_denied_without_broker(
            socket.socket, socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)
        )
        s = self.keep(sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                        socket.htons(ETH_P_ALL), bind=("lo", ETH_P_ALL)))
        self.assertEqual((s.family, s.type, s.proto),
                         (socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL)))
        self.assertEqual(s.getsockname()[:2], ("lo", ETH_P_ALL))
        payload = b"sniffed by sockbroker %d" % os.getpid()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.sendto(payload, (HOST, 9))
        s.settimeout(2)
        while True:
            frame = s.recv(65536)
            if payload in frame:
                break
        self.assertEqual(frame[12:14], b"\x08\x00")

    def test_packet_tuple(self):
        """AF_PACKET (ifname, proto, pkttype, hatype, addr) to the broker and back"""
        s = self.keep(sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
        self.assertEqual(sockbroker.bind(s, ("lo", ETH_P_IP)), s.getsockname())
        self.assertEqual(s.getsockname()[:2], ("lo", ETH_P_IP))
        got = sockbroker.bind(s, ("lo", 0x88F7, 0, 0, b"\x01\x02"))
        self.assertEqual(got[:2], ("lo", 0x88F7))

    def test_every_ethertype_name(self):
        """every ETH_P_ name of the package's table is the number the broker means"""
        from sockbroker._ethertypes import ETHERTYPES

        s = self.keep(sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
        wrong = []
        for name, value in ETHERTYPES.items():
            if sockbroker.bind(s, ("lo", value))[1] != value:
                wrong.append(name)
        self.assertEqual(wrong, [])

    def test_inet_tuples(self):
        """AF_INET and AF_INET6 tuples to the broker and back"""
        s = self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        self.assertEqual(sockbroker.bind(s, (HOST, 1000)), (HOST, 1000))
        s6 = self.keep(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        lo = socket.if_nametoindex("lo")
        self.assertEqual(sockbroker.bind(s6, ("::1", 1000, 0, lo)), ("::1", 1000, 0, 0))

    def test_netlink_tuple(self):
        """AF_NETLINK (pid, groups) to the broker and back"""
        s = self.keep(sockbroker.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
        self.assertEqual((s.family, s.proto), (socket.AF_NETLINK, 0))
        got = sockbroker.bind(s, (0, 1))
        self.assertEqual(got, s.getsockname())
        self.assertEqual(got[1], 1)

    def test_vsock_tuple(self):
        """AF_VSOCK (cid, port) to the broker and back"""
        need_family(self, "AF_VSOCK")
        s = self.keep(socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM))
        try:
            got = sockbroker.bind(s, (socket.VMADDR_CID_ANY, 1001))
        except OSError as e:
            if e.errno in (errno.EADDRNOTAVAIL, errno.ENODEV):
                self.skipTest("no vsock transport here: %s" % e.strerror)
            raise
        self.assertEqual(got, (socket.VMADDR_CID_ANY, 1001))

    def test_can_tuple(self):
        """AF_CAN (ifname,) to the broker and back"""
        need_family(self, "AF_CAN")
        s = self.keep(sockbroker.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW))
        self.assertEqual(sockbroker.bind(s, ("",)), ("",))

    def test_alg_tuple(self):
        """AF_ALG (type, name) to the broker and back, and a SHA-256 with it"""
        need_family(self, "AF_ALG")
        s = self.keep(sockbroker.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0,
                                        bind=("hash", "sha256")))
        op, _ = s.accept()
        with op:
            op.sendall(b"abc")
            self.assertEqual(op.recv(32).hex()[:8], "ba7816bf")

    def test_tipc_tuple(self):
        """AF_TIPC (addr_type, v1, v2, v3, scope) to the broker and back"""
        need_family(self, "AF_TIPC")
        s = self.keep(sockbroker.socket(socket.AF_TIPC, socket.SOCK_RDM, 0))
        addr = (socket.TIPC_ADDR_NAME, 18888, 17, 0, socket.TIPC_NODE_SCOPE)
        self.assertEqual(sockbroker.bind(s, addr)[:2], addr[:2])

    def test_rds_tuple(self):
        """AF_RDS (host, port) to the broker and back"""
        need_family(self, "AF_RDS")
        s = self.keep(sockbroker.socket(socket.AF_RDS, socket.SOCK_SEQPACKET, 0))
        self.assertEqual(sockbroker.bind(s, (HOST, 1002)), (HOST, 1002))

    def test_bluetooth_tuple(self):
        """AF_BLUETOOTH HCI (device_id,) to the broker and back"""
        need_family(self, "AF_BLUETOOTH")
        s = self.keep(sockbroker.socket(socket.AF_BLUETOOTH, socket.SOCK_RAW, socket.BTPROTO_HCI))
        try:
            self.assertEqual(sockbroker.bind(s, (0,)), (0,))
        except OSError as e:
            if e.errno == errno.ENODEV:
                self.skipTest("no Bluetooth adapter hci0")
            raise


@needs_broker
class Concurrency(BrokerCase):
    def test_threads(self):
        """16 threads calling at once share the connection: every call answered"""
        errors, got = [], []

        def work():
            try:
                for i in range(25):
                    s = sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                    got.append(s.proto)
                    s.close()
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    sockbroker.setsockopt(u, socket.SOL_SOCKET, sockbroker.SO_MARK, 0x100 + i)
                    got.append(u.getsockopt(socket.SOL_SOCKET, sockbroker.SO_MARK) - i - 0xFF)
                    u.close()
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(got, [1] * (16 * 25 * 2))

    def _in_child(self, fn):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = fn()
            finally:
                os._exit(code)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        self.fail("the child hung")

    def test_fork(self):
        """after fork the child talks on a connection of its own; the parent's still works"""
        parent = sockbroker.info()["caller"]["pid"]
        self.assertEqual(parent, os.getpid())

        def child():
            if sockbroker.info()["caller"]["pid"] != os.getpid():
                return 2
            s = sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            return 0 if s.proto == 1 else 3

        self.assertEqual(self._in_child(child), 0)
        self.assertEqual(sockbroker.info()["caller"]["pid"], os.getpid())

    def test_fork_during_a_call(self):
        """a fork while another thread is in a call: the child is not stuck on its lock"""
        stop = threading.Event()

        def busy():
            while not stop.is_set():
                sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()

        t = threading.Thread(target=busy)
        t.start()
        try:
            for _ in range(5):
                self.assertEqual(
                    self._in_child(lambda: 0 if sockbroker.info()["caller"]["pid"] == os.getpid() else 2),
                    0)
        finally:
            stop.set()
            t.join()

    def test_no_descriptor_leaked(self):
        """granted, denied, refused and failed calls leave no descriptor behind"""
        sockbroker.info()
        before = open_files()
        for _ in range(20):
            sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
            for bad in [
                lambda: sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP),
                lambda: sockbroker.create_server((HOST, 82)),
                lambda: sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW, 0, bind=("nosuchif0", 0)),
                lambda: sockbroker.Broker("/nonexistent/sockbroker.sock"),
            ]:
                self.assertRaises(OSError, bad)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                self.assertRaises(PermissionError, sockbroker.setsockopt, u,
                                  socket.SOL_SOCKET, sockbroker.SO_MARK, 1)
            with sockbroker.Broker(SOCK) as b:
                b.info()
        self.assertEqual(open_files() - before, set())

    def test_broker_hangs_up_when_idle(self):
        """the broker closes an idle connection: the next call connects again"""
        b = sockbroker.Broker(SOCK)
        self.addCleanup(b.close)
        first = b._conn.fileno()
        timeout = sockbroker.info()["limits"]["idle_timeout_sec"]
        if timeout > 5:
            self.skipTest("the broker's idle timeout is %d s" % timeout)
        time.sleep(timeout + 1.5)
        s = self.keep(b.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
        self.assertEqual(s.proto, 1)
        time.sleep(timeout + 1.5)
        self.assertEqual(b.info()["caller"]["uid"], 65534)
        self.assertIsNotNone(first)


@needs_broker
class NoBroker(unittest.TestCase):
    def run_child(self, path):
        env = dict(os.environ, SOCKBROKER_SOCKET=path)
        start = time.monotonic()
        p = subprocess.run(
            [sys.executable, "-c",
             "import socket, sockbroker\n"
             "try:\n"
             "    sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n"
             "except OSError as e:\n"
             "    print(type(e).__name__, e)\n"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10,
        )
        return p.stdout.decode(), time.monotonic() - start

    def test_no_broker_at_the_path(self):
        """SOCKBROKER_SOCKET naming nothing: FileNotFoundError at once"""
        out, took = self.run_child("/nonexistent/sockbroker.sock")
        self.assertTrue(out.startswith("FileNotFoundError [Errno 2] cannot connect to the broker"), out)
        self.assertLess(took, 5)

    def test_no_broker_listening(self):
        """a socket file no one listens on: ConnectionRefusedError at once"""
        d = os.environ["SB_TEST_TMP"]
        path = os.path.join(d, "dead-%d" % os.getpid())
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        self.addCleanup(os.unlink, path)
        out, took = self.run_child(path)
        self.assertTrue(out.startswith("ConnectionRefusedError [Errno 111]"), out)
        self.assertLess(took, 5)

    def test_env_and_default(self):
        """SOCKBROKER_SOCKET chooses the broker; without it the built-in path"""
        out, _ = self.run_child(SOCK)
        self.assertEqual(out, "")
        env = {k: v for k, v in os.environ.items() if k != "SOCKBROKER_SOCKET"}
        p = subprocess.run([sys.executable, "-c", "import sockbroker; print(sockbroker._default.path)"],
                           env=env, stdout=subprocess.PIPE, check=True)
        self.assertEqual(p.stdout.decode().strip(), sockbroker.DEFAULT_SOCKET)


@needs_broker
class Netns(BrokerCase):
    def test_socket_in_named_netns(self):
        """netns=: the socket lives in the named network namespace"""
        name = os.environ.get("SB_TEST_NETNS")
        if not name:
            self.skipTest("no named network namespace (needs ip netns)")
        SO_NETNS_COOKIE = 71
        here = self.keep(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        s = self.keep(sockbroker.socket(socket.AF_INET, socket.SOCK_DGRAM, netns=name))
        try:
            mine = here.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8)
        except OSError:
            self.skipTest("the kernel has no SO_NETNS_COOKIE")
        self.assertNotEqual(s.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8), mine)
        with self.assertRaises(PermissionError):
            sockbroker.socket(socket.AF_INET, socket.SOCK_DGRAM)


if __name__ == "__main__":
    unittest.main()
