#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks that the running kernel has the socket families the VM tests need,
# by using each for real where it can without hardware: a CAN frame sent on
# vcan0 must arrive on another socket, AF_ALG must hash and encrypt known
# test vectors, TIPC, RDS, VSOCK, SCTP and QRTR must carry a datagram or a
# stream on this host; Bluetooth, which has no controller here, must create
# its sockets.
#
# Usage: probe-kernel.py [CHECK...]   (default: all checks)
# Prints "ok CHECK" or "fail CHECK: reason" per check; exits 0 when all
# passed, 1 when one failed, 2 on a usage error.

import signal
import socket
import struct
import sys

TIMEOUT = 10  # seconds per check: a hang fails the check, not the run


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout(f"no answer within {TIMEOUT} s")

CAN_IFACE = "vcan0"
CAN_FRAME = struct.Struct("=IB3x8s")  # struct can_frame


def can_raw():
    tx = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
    rx = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
    with tx, rx:
        rx.settimeout(5)
        tx.bind((CAN_IFACE,))
        rx.bind((CAN_IFACE,))
        sent = CAN_FRAME.pack(0x123, 4, b"\xde\xad\xbe\xef".ljust(8, b"\0"))
        tx.send(sent)
        got = rx.recv(CAN_FRAME.size)
        if got != sent:
            raise AssertionError(f"frame came back as {got.hex()}, sent {sent.hex()}")


def can_bcm():
    with socket.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_BCM) as s:
        s.connect((CAN_IFACE,))


def can_isotp():
    with socket.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_ISOTP) as s:
        s.bind((CAN_IFACE, 0x7E8, 0x7E0))


def can_j1939():
    with socket.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_J1939) as s:
        s.bind((CAN_IFACE, socket.J1939_NO_NAME, socket.J1939_NO_PGN, 0x20))


def alg_run(kind, name, key, data):
    with socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET, 0) as s:
        s.bind((kind, name))
        if key is not None:
            s.setsockopt(socket.SOL_ALG, socket.ALG_SET_KEY, key)
        op, _ = s.accept()
        with op:
            if kind == "skcipher":
                op.sendmsg_afalg([data], op=socket.ALG_OP_ENCRYPT)
                # Asking for more than was sent waits for more input.
                return op.recv(len(data))
            op.sendall(data)
            return op.recv(64)


def alg_hash():
    want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    got = alg_run("hash", "sha256", None, b"abc").hex()
    if got != want:
        raise AssertionError(f"sha256('abc') = {got}, want {want}")


def alg_skcipher():
    # FIPS-197 appendix C.1 (AES-128).
    key = bytes(range(16))
    plain = bytes.fromhex("00112233445566778899aabbccddeeff")
    want = "69c4e0d86a7b0430d8cdb78070b4c55a"
    got = alg_run("skcipher", "ecb(aes)", key, plain).hex()
    if got != want:
        raise AssertionError(f"ecb(aes) gave {got}, want {want}")


def recv_check(s, want):
    s.settimeout(5)
    got = s.recv(len(want) + 16)
    if got != want:
        raise AssertionError(f"received {got!r}, sent {want!r}")


def tipc_rdm():
    # A service name (type 18888, instance 17), no bearer: node-local.
    rx = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    tx = socket.socket(socket.AF_TIPC, socket.SOCK_RDM)
    with rx, tx:
        rx.bind((socket.TIPC_ADDR_NAMESEQ, 18888, 17, 17))
        tx.sendto(b"tipc", (socket.TIPC_ADDR_NAME, 18888, 17, 0))
        recv_check(rx, b"tipc")


def rds():
    # 127.0.0.1 takes RDS's loopback transport.
    rx = socket.socket(socket.AF_RDS, socket.SOCK_SEQPACKET)
    tx = socket.socket(socket.AF_RDS, socket.SOCK_SEQPACKET)
    with rx, tx:
        rx.bind(("127.0.0.1", 18001))
        tx.bind(("127.0.0.1", 18002))
        tx.sendto(b"rds", ("127.0.0.1", 18001))
        recv_check(rx, b"rds")


def vsock_loopback():
    VMADDR_CID_LOCAL = 1
    with socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM) as srv:
        srv.bind((VMADDR_CID_LOCAL, 1001))
        srv.listen(1)
        with socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM) as c:
            c.settimeout(5)
            c.connect((VMADDR_CID_LOCAL, 1001))
            conn, _ = srv.accept()
            with conn:
                c.sendall(b"vsock")
                recv_check(conn, b"vsock")


def sctp():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP) as srv:
        srv.bind(("127.0.0.1", 999))
        srv.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP) as c:
            c.settimeout(5)
            c.connect(("127.0.0.1", 999))
            conn, _ = srv.accept()
            with conn:
                c.sendall(b"sctp")
                recv_check(conn, b"sctp")


# <bluetooth/bluetooth.h>: this Python may be built without it.
AF_BLUETOOTH = 31
BT_PROTOCOLS = {"l2cap": (socket.SOCK_SEQPACKET, 0), "hci": (socket.SOCK_RAW, 1),
                "sco": (socket.SOCK_SEQPACKET, 2), "rfcomm": (socket.SOCK_STREAM, 3)}


def bluetooth(proto):
    def check():
        type_, number = BT_PROTOCOLS[proto]
        socket.socket(AF_BLUETOOTH, type_, number).close()
    return check


def qrtr():
    # The local node delivers to its own ports without an endpoint.
    rx = socket.socket(socket.AF_QIPCRTR, socket.SOCK_DGRAM)
    tx = socket.socket(socket.AF_QIPCRTR, socket.SOCK_DGRAM)
    with rx, tx:
        node, _ = rx.getsockname()  # the local node, before any bind
        rx.bind((node, 0))  # port 0: the next free ephemeral port
        tx.sendto(b"qrtr", rx.getsockname())
        recv_check(rx, b"qrtr")


CHECKS = {
    "can-raw": can_raw,
    "can-bcm": can_bcm,
    "can-isotp": can_isotp,
    "can-j1939": can_j1939,
    "alg-hash": alg_hash,
    "alg-skcipher": alg_skcipher,
    "tipc-rdm": tipc_rdm,
    "rds": rds,
    "vsock-loopback": vsock_loopback,
    "sctp": sctp,
    "bt-l2cap": bluetooth("l2cap"),
    "bt-rfcomm": bluetooth("rfcomm"),
    "bt-sco": bluetooth("sco"),
    "bt-hci": bluetooth("hci"),
    "qrtr": qrtr,
}


def main(argv):
    names = argv[1:] or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(f"unknown check {unknown[0]}; checks: {' '.join(CHECKS)}", file=sys.stderr)
        return 2
    failed = False
    signal.signal(signal.SIGALRM, on_alarm)
    for name in names:
        signal.alarm(TIMEOUT)
        try:
            CHECKS[name]()
        except (OSError, AttributeError, AssertionError, Timeout) as e:
            # AttributeError: this Python lacks the constant.
            print(f"fail {name}: {e}")
            failed = True
        else:
            print(f"ok {name}")
        finally:
            signal.alarm(0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
