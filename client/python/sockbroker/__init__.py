# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real kernel sockets from sockbrokerd, the socket broker.

sockbrokerd is a privileged daemon that creates and configures kernel
sockets for unprivileged programs, after checking its policy, and hands
them over.  This package asks it, in the terms of the socket module:

    import socket, sockbroker

    # A raw ICMP socket for a program without CAP_NET_RAW:
    s = sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)

    # A TCP server on port 80 for a program without CAP_NET_BIND_SERVICE:
    srv = sockbroker.create_server(("", 80))

    # A packet socket bound to lo, every ethertype:
    cap = sockbroker.socket(socket.AF_PACKET, socket.SOCK_RAW,
                            socket.htons(3), bind=("lo", 3))

    # The privileged operations on a socket the program made itself:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sockbroker.setsockopt(u, socket.SOL_SOCKET, sockbroker.SO_MARK, 0x100)
    sockbroker.bind(u, ("127.0.0.1", 53))

What comes back is an ordinary socket.socket: the broker is not on the
data path.  Addresses take the forms socket.bind() takes for each family:
(host, port) for AF_INET, with '' and '<broadcast>'; (host, port,
flowinfo, scope_id) for AF_INET6; (pid, groups) for AF_NETLINK;
(addr_type, v1, v2, v3[, scope]) for AF_TIPC; (ifname,) for AF_CAN, with
(ifname, rx_addr, tx_addr) for CAN_ISOTP and (ifname, name, pgn, addr)
for CAN_J1939; (ifname, proto[, pkttype[, hatype[, addr]]]) for
AF_PACKET, proto being the ethertype as socket.bind() takes it (host
byte order: 3 for ETH_P_ALL); (type, name[, feat[, mask]]) for AF_ALG;
(cid, port) for AF_VSOCK; (host, port) for AF_RDS; (node, port) for
AF_QIPCRTR; (bdaddr, psm),
(bdaddr, channel), (device_id,) and a bare bdaddr (bytes) for Bluetooth
L2CAP, RFCOMM, HCI and SCO.  Host names are resolved here, as
socket.bind() resolves them; the broker is given numbers.

Errors raise the OSError subclass of their errno, the message being the
broker's reason: PermissionError when the policy (or the kernel) refuses,
FileNotFoundError or ConnectionRefusedError when there is no broker.  An
error from the broker also carries varlink_error (the error's name, such
as 'org.sockbroker.PermissionDenied'), rule (the policy rule that
decided, 'file:line' or 'default') and parameter (the parameter an
InvalidParameter error names), each None when it does not apply.

The module-level functions use one connection per process, to the broker
at $SOCKBROKER_SOCKET or else DEFAULT_SOCKET, opened on first use, shared
by all threads and opened anew in a child after fork().  Broker(path)
is an explicit connection with the same methods.

The protocol is in docs/PROTOCOL.md of the source tree; the policy in
sockbroker-policy(5).  The messages this package sends and reads are
defined once, in sockbroker._messages, which the tests check against the
interface files (proto/*.varlink).
"""

import socket as _socket

from ._broker import DEFAULT_SOCKET, OPTION_CONSTANTS, Broker

__version__ = "0.1.0"

Broker.__module__ = __name__

__all__ = [
    "Broker",
    "DEFAULT_SOCKET",
    "IPV6_TRANSPARENT",
    "IP_TRANSPARENT",
    "NETLINK_LISTEN_ALL_NSID",
    "SO_BINDTODEVICE",
    "SO_BINDTOIFINDEX",
    "SO_BUSY_POLL_BUDGET",
    "SO_DEBUG",
    "SO_MARK",
    "SO_PREFER_BUSY_POLL",
    "SO_PRIORITY",
    "SO_RCVBUFFORCE",
    "SO_SNDBUFFORCE",
    "TCP_CONGESTION",
    "bind",
    "create_server",
    "info",
    "setsockopt",
    "socket",
]

# The options the broker sets (SetSockOpt), for Python builds whose
# socket module lacks some of them.
SO_DEBUG = OPTION_CONSTANTS["SO_DEBUG"]
SO_PRIORITY = OPTION_CONSTANTS["SO_PRIORITY"]
SO_BINDTODEVICE = OPTION_CONSTANTS["SO_BINDTODEVICE"]
SO_SNDBUFFORCE = OPTION_CONSTANTS["SO_SNDBUFFORCE"]
SO_RCVBUFFORCE = OPTION_CONSTANTS["SO_RCVBUFFORCE"]
SO_MARK = OPTION_CONSTANTS["SO_MARK"]
IP_TRANSPARENT = OPTION_CONSTANTS["IP_TRANSPARENT"]
IPV6_TRANSPARENT = OPTION_CONSTANTS["IPV6_TRANSPARENT"]
SO_BINDTOIFINDEX = OPTION_CONSTANTS["SO_BINDTOIFINDEX"]
SO_PREFER_BUSY_POLL = OPTION_CONSTANTS["SO_PREFER_BUSY_POLL"]
SO_BUSY_POLL_BUDGET = OPTION_CONSTANTS["SO_BUSY_POLL_BUDGET"]
TCP_CONGESTION = OPTION_CONSTANTS["TCP_CONGESTION"]
NETLINK_LISTEN_ALL_NSID = OPTION_CONSTANTS["NETLINK_LISTEN_ALL_NSID"]

# The process's connection, opened on first use.
_default = Broker._lazy()


def socket(
    family=_socket.AF_INET,
    type=_socket.SOCK_STREAM,
    proto=0,
    *,
    options=(),
    bind=None,
    listen=None,
    netns=None,
):
    """A new socket.socket from the broker (see Broker.socket)."""
    return _default.socket(
        family, type, proto, options=options, bind=bind, listen=listen, netns=netns
    )


def bind(sock, address):
    """Have the broker bind sock to address (see Broker.bind)."""
    return _default.bind(sock, address)


def setsockopt(sock, level, optname, value):
    """Have the broker set a privileged option (see Broker.setsockopt)."""
    return _default.setsockopt(sock, level, optname, value)


def create_server(
    address, *, family=_socket.AF_INET, backlog=None, reuse_port=False, dualstack_ipv6=False
):
    """A listening TCP socket on address, any port (see Broker.create_server)."""
    return _default.create_server(
        address,
        family=family,
        backlog=backlog,
        reuse_port=reuse_port,
        dualstack_ipv6=dualstack_ipv6,
    )


def info():
    """The broker's version, limits and families, and the caller (see Broker.info)."""
    return _default.info()
