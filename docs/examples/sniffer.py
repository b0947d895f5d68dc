#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A very simple network sniffer: the raw socket example of the socket
# module's documentation, for Linux and a program without CAP_NET_RAW.
# Where Windows takes SIO_RCVALL on a raw IP socket, Linux hands whole
# frames of an interface to an AF_PACKET socket: the broker creates it,
# for every ethertype (ETH_P_ALL), and binds it to the interface.
#
#     sniffer.py [IFNAME]
import socket
import sys

import sockbroker

ETH_P_ALL = 3  # every protocol (linux/if_ether.h)

# the interface to listen on
IFNAME = sys.argv[1] if len(sys.argv) > 1 else 'lo'

# create a packet socket and bind it to the interface
s = sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL),
                      bind=(IFNAME, ETH_P_ALL))

# receive a package: the frame and (ifname, proto, pkttype, hatype, addr)
print(s.recvfrom(65565))
