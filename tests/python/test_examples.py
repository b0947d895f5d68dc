# SPDX-License-Identifier: LGPL-2.1-or-later
"""The examples of docs/examples/*.py, the socket module documentation's
examples rewritten for the package, run as nobody against the real
daemon, after the documentation's own version fails without it."""

import os
import socket
import subprocess
import sys
import time
import unittest

import sockbroker
from test_broker import SKIP, SOCK, need_family

EXAMPLES = os.environ.get("SB_TEST_EXAMPLES", "")

# The documentation's echo server, with the socket module alone, on 80.
PLAIN_ECHO_SERVER = """
import socket
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(('127.0.0.1', 80))
"""


def example(name):
    return os.path.join(EXAMPLES, name)


def start(name, *args):
    return subprocess.Popen(
        [sys.executable, example(name)] + [str(a) for a in args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def run(name, *args, timeout=20):
    return subprocess.run(
        [sys.executable, example(name)] + [str(a) for a in args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
    )


@unittest.skipUnless(SOCK and EXAMPLES, SKIP)
class Examples(unittest.TestCase):
    def finish(self, p, timeout=10):
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            self.fail("%s did not finish: %s" % (p.args, out.decode()))
        return p.returncode, out.decode()

    def client_until_served(self, host, port, server):
        """Run echo-client.py until the server has started listening."""
        deadline = time.monotonic() + 10
        while True:
            c = run("echo-client.py", host, port)
            if c.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                return c
            time.sleep(0.05)

    def test_echo_server_on_80(self):
        """echo-server.py and echo-client.py on port 80; the socket module's alone fails"""
        plain = subprocess.run([sys.executable, "-c", PLAIN_ECHO_SERVER],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertNotEqual(plain.returncode, 0)
        self.assertIn(b"PermissionError", plain.stdout)
        server = start("echo-server.py", "127.0.0.1", 80)
        c = self.client_until_served("127.0.0.1", 80, server)
        code, out = self.finish(server)
        self.assertEqual(c.stdout, b"Received b'Hello, world'\n", c.stdout)
        self.assertEqual(code, 0, out)
        self.assertIn("Connected by ('127.0.0.1', ", out)

    def test_echo_server_any_on_80(self):
        """echo-server-any.py on [::1]:80 and echo-client.py over IPv6"""
        server = start("echo-server-any.py", "::1", 80)
        c = self.client_until_served("::1", 80, server)
        code, out = self.finish(server)
        self.assertEqual(c.stdout, b"Received b'Hello, world'\n", c.stdout)
        self.assertEqual(code, 0, out)
        self.assertIn("Connected by ('::1', ", out)

    def test_sniffer(self):
        """sniffer.py on lo prints the first frame; nobody's own packet socket fails"""
        with self.assertRaises(PermissionError):
            socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        sniffer = start("sniffer.py", "lo")
        deadline = time.monotonic() + 10
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            while sniffer.poll() is None and time.monotonic() < deadline:
                u.sendto(b"to the sniffer", ("127.0.0.1", 9))
                time.sleep(0.05)
        code, out = self.finish(sniffer)
        self.assertEqual(code, 0, out)
        self.assertTrue(out.startswith("(b'"), out)
        self.assertIn("('lo', 2048, ", out)

    def test_ping(self):
        """ping.py: three ICMP echoes to 127.0.0.1 answered"""
        p = run("ping.py", "127.0.0.1", 3)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.count(b" bytes from 127.0.0.1: icmp_seq="), 3, p.stdout)

    def test_can(self):
        """can.py on vcan0 echoes a frame sent to it"""
        need_family(self, "AF_CAN")
        try:
            tx = sockbroker.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW, bind=("vcan0",))
        except OSError as e:
            self.skipTest("no vcan0: %s" % e.strerror)
        self.addCleanup(tx.close)
        p = start("can.py", "vcan0")
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        frame = (0x123).to_bytes(4, sys.byteorder) + bytes([3, 0, 0, 0]) + b"abc".ljust(8, b"\0")
        tx.settimeout(0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            tx.send(frame)
            try:
                while True:
                    got = tx.recv(16)
                    if got[:4] == (1).to_bytes(4, sys.byteorder):
                        return
            except socket.timeout:
                pass
        self.fail("can.py sent nothing back")


if __name__ == "__main__":
    unittest.main()
