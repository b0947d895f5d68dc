#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The CAN example of the socket module's documentation, for a program
# that may not create AF_CAN sockets itself (no privilege needed on a
# real kernel, but a sandbox may forbid the family): the broker creates
# the CAN_RAW socket and binds it to the interface. It echoes every frame
# it receives and sends one frame of its own after each. To use the
# broadcast manager instead, ask for
#     sockbroker.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_BCM)
#
#     can.py [IFNAME]
import socket
import struct
import sys

import sockbroker

# CAN frame packing/unpacking (see 'struct can_frame' in <linux/can.h>)
can_frame_fmt = "=IB3x8s"
can_frame_size = struct.calcsize(can_frame_fmt)


def build_can_frame(can_id, data):
    can_dlc = len(data)
    data = data.ljust(8, b'\x00')
    return struct.pack(can_frame_fmt, can_id, can_dlc, data)


def dissect_can_frame(frame):
    can_id, can_dlc, data = struct.unpack(can_frame_fmt, frame)
    return (can_id, can_dlc, data[:can_dlc])


IFNAME = sys.argv[1] if len(sys.argv) > 1 else 'vcan0'

# create a raw socket and bind it to the interface, through the broker
s = sockbroker.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW, bind=(IFNAME,))

while True:
    cf, addr = s.recvfrom(can_frame_size)

    print('Received: can_id=%x, can_dlc=%x, data=%s' % dissect_can_frame(cf), flush=True)

    try:
        s.send(cf)
    except OSError:
        print('Error sending CAN frame')

    try:
        s.send(build_can_frame(0x01, b'\x01\x02\x03'))
    except OSError:
        print('Error sending CAN frame')
