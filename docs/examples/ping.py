#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# ping without set-uid or file capabilities: the raw ICMP socket comes
# from the broker; everything after that is the socket module's.
#
#     ping.py [HOST [COUNT]]
#
# Sends COUNT (default 1) ICMP echo requests to HOST (default 127.0.0.1)
# and exits 0 when every one was answered.
import os
import socket
import struct
import sys
import time

import sockbroker

HOST = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


addr = socket.gethostbyname(HOST)
ident = os.getpid() & 0xffff
answered = 0
with sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
    s.settimeout(2)
    for seq in range(1, COUNT + 1):
        body = struct.pack('!d', time.monotonic())
        header = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
        s.sendto(header[:2] + struct.pack('!H', checksum(header + body)) + header[4:] + body,
                 (addr, 0))
        try:
            while True:
                # A raw socket reads whole IPv4 packets and sees every
                # ICMP packet of the host: pick our echo reply.
                packet = s.recv(1500)
                icmp = packet[(packet[0] & 0x0f) * 4:]
                if icmp[0] == 0 and struct.unpack('!HH', icmp[4:8]) == (ident, seq):
                    break
        except socket.timeout:
            print('no reply from %s: icmp_seq=%d' % (addr, seq))
            continue
        answered += 1
        ms = (time.monotonic() - struct.unpack('!d', icmp[8:16])[0]) * 1000
        print('%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms'
              % (len(icmp), addr, seq, packet[8], ms))
sys.exit(0 if answered == COUNT else 1)
