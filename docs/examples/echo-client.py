#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Echo client program: the second example of the socket module's
# documentation, the partner of echo-server.py and echo-server-any.py.
# Connecting needs no privilege, so it uses the socket module alone; it
# tries every address of HOST, IPv4 and IPv6, as the documentation's
# fourth example does.
#
#     echo-client.py [HOST [PORT]]
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else 'localhost'  # The remote host
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 80  # The same port as used by the server

with socket.create_connection((HOST, PORT)) as s:
    s.sendall(b'Hello, world')
    data = s.recv(1024)
print('Received', repr(data))
