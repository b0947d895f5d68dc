#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Echo server program: the first example of the socket module's
# documentation, on port 80, for a program without CAP_NET_BIND_SERVICE.
# The socket is the program's own; only the bind is asked of the broker
# (a "bind" rule for the port is all the policy needs). SO_REUSEADDR, as
# the documentation advises, lets it run again at once.
#
#     echo-server.py [HOST [PORT]]
import socket
import sys

import sockbroker

HOST = sys.argv[1] if len(sys.argv) > 1 else ''  # Symbolic name meaning all available interfaces
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 80  # A privileged port

with sockbroker.socket(socket.AF_INET, socket.SOCK_STREAM,
                       options=[(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)],
                       bind=(HOST, PORT), listen=1) as s:
    conn, addr = s.accept()
    with conn:
        print('Connected by', addr)
        while True:
            data = conn.recv(1024)
            if not data: break
            conn.sendall(data)
