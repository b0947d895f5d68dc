#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Echo server program for IPv4 and IPv6: the third example of the socket
# module's documentation, on port 80. It listens on the first address
# family available; sockbroker.socket() with bind= creates the socket
# here and asks the broker for the bind, of the address getaddrinfo()
# gave, in the same tuple form.
#
#     echo-server-any.py [HOST [PORT]]
import socket
import sys

import sockbroker

HOST = sys.argv[1] if len(sys.argv) > 1 else None  # Symbolic name meaning all available interfaces
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 80  # A privileged port
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC,
                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    af, socktype, proto, canonname, sa = res
    try:
        s = sockbroker.socket(af, socktype, proto, bind=sa, listen=1)
    except OSError as msg:
        print('cannot listen on', sa, msg, file=sys.stderr)
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
conn, addr = s.accept()
with conn:
    print('Connected by', addr)
    while True:
        data = conn.recv(1024)
        if not data: break
        conn.send(data)
