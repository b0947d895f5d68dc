#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks that the running kernel has the socket families the VM tests need,
# by using each for real: a CAN frame sent on vcan0 must arrive on another
# socket, AF_ALG must hash and encrypt known test vectors.
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


CHECKS = {
    "can-raw": can_raw,
    "can-bcm": can_bcm,
    "can-isotp": can_isotp,
    "can-j1939": can_j1939,
    "alg-hash": alg_hash,
    "alg-skcipher": alg_skcipher,
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
