# SPDX-License-Identifier: LGPL-2.1-or-later
"""The package on the wire, against a scripted broker in a thread: the
bytes it writes, descriptors, replies in pieces, a broker that hangs up,
malformed replies, and no descriptor left behind."""

import json
import os
import socket
import tempfile
import threading
import time
import unittest

import sockbroker


SENT = set()  # inodes of the sockets the scripted broker sent


def still_open(inodes):
    """Which of the sockets are open in this process.

    The scripted broker shares the process, and closes its copy just
    after the reply went out: give it a moment."""
    for _ in range(100):
        found = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                link = os.readlink("/proc/self/fd/" + fd)
            except OSError:
                continue
            if link.startswith("socket:["):
                found.add(int(link[8:-1]))
        found &= set(inodes)
        if not found:
            break
        time.sleep(0.01)
    return found


class FakeBroker:
    """Accepts connections; for each call, handler(call, fds, conn) replies."""

    def __init__(self, handler):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(8)
        self.handler = handler
        self.calls = []
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn):
            with conn:
                buf = b""
                fds = []
                while True:
                    try:
                        data, got, _flags, _addr = socket.recv_fds(conn, 65536, 4)
                    except OSError:
                        break
                    fds.extend(got)
                    if not data:
                        break
                    buf += data
                    while b"\0" in buf:
                        raw, buf = buf.split(b"\0", 1)
                        self.calls.append(raw)
                        try:
                            keep = self.handler(json.loads(raw), fds, conn)
                        finally:
                            for fd in fds:
                                os.close(fd)
                            fds = []
                        if keep is False:
                            break
                    else:
                        continue
                    break

    def close(self):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(5)
        self.dir.cleanup()


def reply(conn, obj, fds=()):
    data = json.dumps(obj).encode() + b"\0"
    SENT.update(os.fstat(fd).st_ino for fd in fds)
    if fds:
        socket.send_fds(conn, [data], list(fds))
    else:
        conn.sendall(data)


def socket_reply(conn, family, type):
    s = socket.socket(family, type)
    try:
        reply(conn, {"parameters": {"fd": 0, "family": "AF_INET", "type": "SOCK_DGRAM",
                                    "protocol": 17}}, [s.fileno()])
    finally:
        s.close()


class Wire(unittest.TestCase):
    def fake(self, handler):
        f = FakeBroker(handler)
        self.addCleanup(f.close)
        b = sockbroker.Broker(f.path)
        self.addCleanup(b.close)
        return f, b

    def test_compact_socket_call_spelling(self):
        """the Socket call is written in the compact spelling the broker reads without JSON"""
        f, b = self.fake(lambda call, fds, conn: socket_reply(conn, socket.AF_INET, socket.SOCK_DGRAM))
        s = b.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.close()
        s = b.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK, 17)
        self.assertFalse(s.getblocking())
        s.close()
        self.assertEqual(f.calls, [
            b'{"method":"org.sockbroker.Socket","parameters":{"family":2,"type":2,"protocol":0}}',
            b'{"method":"org.sockbroker.Socket","parameters":{"family":2,"type":2,'
            b'"flags":["SOCK_NONBLOCK"],"protocol":17}}',
        ])

    def test_compact_bind_call_spelling(self):
        """Bind sends the socket with the call, IPv4 and IPv6 in the compact spelling"""
        seen = []

        def handler(call, fds, conn):
            seen.append(len(fds))
            reply(conn, {"parameters": {"address": call["parameters"]["address"]}})

        f, b = self.fake(handler)
        with socket.socket() as s:
            self.assertEqual(b.bind(s, ("127.0.0.1", 80)), ("127.0.0.1", 80))
        with socket.socket(socket.AF_INET6) as s:
            self.assertEqual(b.bind(s, ("::1", 80)), ("::1", 80, 0, 0))
        self.assertEqual(seen, [1, 1])
        self.assertEqual(f.calls, [
            b'{"method":"org.sockbroker.Bind","parameters":{"fd":0,"address":'
            b'{"host":"127.0.0.1","port":80}}}',
            b'{"method":"org.sockbroker.Bind","parameters":{"fd":0,"address":'
            b'{"host":"::1","port":80,"flowinfo":0,"scope_id":0}}}',
        ])

    def test_reply_in_pieces(self):
        """a reply that comes in several reads, the descriptor with the first"""
        def handler(call, fds, conn):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            data = b'{"parameters":{"fd":0,"family":"AF_INET","type":"SOCK_DGRAM","protocol":17}}\0'
            socket.send_fds(conn, [data[:5]], [s.fileno()])
            s.close()
            for i in range(5, len(data), 7):
                conn.sendall(data[i:i + 7])

        f, b = self.fake(handler)
        s = b.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.assertEqual((s.family, s.type, s.proto), (socket.AF_INET, socket.SOCK_DGRAM, 17))
        # Received with MSG_CMSG_CLOEXEC, as Python makes its own sockets.
        self.assertFalse(s.get_inheritable())
        s.close()

    def test_hang_up_repeats_socket(self):
        """a broker that hangs up before replying: Socket is asked again on a new connection"""
        def handler(call, fds, conn):
            if len(f.calls) == 1:
                return False
            socket_reply(conn, socket.AF_INET, socket.SOCK_DGRAM)

        f, b = self.fake(handler)
        s = b.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.close()
        self.assertEqual((len(f.calls), f.connections), (2, 2))

    def test_hang_up_bind_only_when_not_bound(self):
        """after a hang-up Bind is repeated only while the socket is unbound"""
        def handler(call, fds, conn):
            if len(f.calls) == 1:
                return False
            reply(conn, {"parameters": {"address": {"host": "127.0.0.1", "port": 80}}})

        f, b = self.fake(handler)
        with socket.socket() as s:
            self.assertEqual(b.bind(s, ("127.0.0.1", 80)), ("127.0.0.1", 80))
        self.assertEqual(len(f.calls), 2)

        def binds_then_hangs_up(call, fds, conn):
            socket.socket(fileno=os.dup(fds[0])).bind(("127.0.0.1", 0))
            return False

        f, b = self.fake(binds_then_hangs_up)
        with socket.socket() as s, self.assertRaises(ConnectionResetError):
            b.bind(s, ("127.0.0.1", 80))
        self.assertEqual(len(f.calls), 1)

    def test_malformed_replies(self):
        """malformed replies are EPROTO; no descriptor stays open; the next call works"""
        replies = [b"not json\0", b'{"parameters":{"fd":0}}\0', b"[1]\0"]

        def handler(call, fds, conn):
            if replies:
                conn.sendall(replies.pop(0))
            else:
                socket_reply(conn, socket.AF_INET, socket.SOCK_DGRAM)

        f, b = self.fake(handler)
        for _ in range(3):
            with self.assertRaises(OSError) as cm:
                b.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.assertEqual(cm.exception.errno, 71)  # EPROTO
        s = b.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.close()
        self.assertEqual(still_open(SENT), set())

    def test_error_reply_with_descriptor(self):
        """an error reply that carries a descriptor: the error, and the descriptor closed"""
        def handler(call, fds, conn):
            s = socket.socket()
            reply(conn, {"error": "org.sockbroker.PermissionDenied",
                         "parameters": {"errno": 13, "errno_name": "EACCES",
                                        "message": "no", "rule": "default"}}, [s.fileno()])
            s.close()

        f, b = self.fake(handler)
        with self.assertRaises(PermissionError) as cm:
            b.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.assertEqual((str(cm.exception), cm.exception.rule), ("[Errno 13] no", "default"))
        self.assertEqual(still_open(SENT), set())

    def test_no_broker(self):
        """no broker: FileNotFoundError, or ConnectionRefusedError for a dead socket"""
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(FileNotFoundError) as cm:
                sockbroker.Broker(os.path.join(d, "none"))
            self.assertIn("cannot connect to the broker", str(cm.exception))
            self.assertEqual(cm.exception.filename, os.path.join(d, "none"))
            dead = socket.socket(socket.AF_UNIX)
            dead.bind(os.path.join(d, "dead"))
            dead.close()
            with self.assertRaises(ConnectionRefusedError):
                sockbroker.Broker(os.path.join(d, "dead"))

    def test_closed_broker(self):
        """a closed Broker refuses calls with EBADF; a context manager closes"""
        f, b = self.fake(lambda call, fds, conn: reply(conn, {"parameters": {}}))
        with sockbroker.Broker(f.path) as b2:
            self.assertEqual(b2.info(), {})
        with self.assertRaises(OSError) as cm:
            b2.info()
        self.assertEqual(cm.exception.errno, 9)


if __name__ == "__main__":
    unittest.main()
