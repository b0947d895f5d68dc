# SPDX-License-Identifier: LGPL-2.1-or-later
"""Socket addresses: the socket module's tuples <-> the broker's objects.

to_json() takes an address in the form socket.socket.bind() takes for the
family (and, for AF_CAN and AF_BLUETOOTH, the protocol) and returns the
address object of docs/PROTOCOL.md, "Addresses".  Host names are resolved
here, as socket.bind() would resolve them: the broker takes numbers only.
from_json() turns an address object of a reply back into the tuple
socket.socket.getsockname() would give.
"""

import errno
import os
import socket as _socket

from ._ethertypes import ETHERTYPES


def _const(name, value):
    # Linux's values, for the few names a Python build may lack (CPython
    # defines them only when its build headers did).
    return getattr(_socket, name, value)


AF_UNIX = _const("AF_UNIX", 1)
AF_INET = _const("AF_INET", 2)
AF_INET6 = _const("AF_INET6", 10)
AF_NETLINK = _const("AF_NETLINK", 16)
AF_PACKET = _const("AF_PACKET", 17)
AF_RDS = _const("AF_RDS", 21)
AF_CAN = _const("AF_CAN", 29)
AF_TIPC = _const("AF_TIPC", 30)
AF_BLUETOOTH = _const("AF_BLUETOOTH", 31)
AF_ALG = _const("AF_ALG", 38)
AF_VSOCK = _const("AF_VSOCK", 40)
AF_QIPCRTR = _const("AF_QIPCRTR", 42)
CAN_ISOTP = _const("CAN_ISOTP", 6)
CAN_J1939 = _const("CAN_J1939", 7)
BTPROTO_L2CAP = _const("BTPROTO_L2CAP", 0)
BTPROTO_HCI = _const("BTPROTO_HCI", 1)
BTPROTO_SCO = _const("BTPROTO_SCO", 2)
BTPROTO_RFCOMM = _const("BTPROTO_RFCOMM", 3)

# Names the broker writes in replies, and their numbers.
_TIPC_NAMES = {
    "TIPC_ADDR_NAMESEQ": 1,
    "TIPC_ADDR_NAME": 2,
    "TIPC_ADDR_ID": 3,
    "TIPC_SERVICE_RANGE": 1,
    "TIPC_SERVICE_ADDR": 2,
    "TIPC_SOCKET_ADDR": 3,
    "TIPC_ZONE_SCOPE": 1,
    "TIPC_CLUSTER_SCOPE": 2,
    "TIPC_NODE_SCOPE": 3,
}
_PACKET_TYPES = {
    "PACKET_HOST": 0,
    "PACKET_BROADCAST": 1,
    "PACKET_MULTICAST": 2,
    "PACKET_OTHERHOST": 3,
    "PACKET_OUTGOING": 4,
    "PACKET_LOOPBACK": 5,
    "PACKET_USER": 6,
    "PACKET_KERNEL": 7,
}

_FAMILY_NAMES = {
    AF_UNIX: "AF_UNIX",
    AF_INET: "AF_INET",
    AF_INET6: "AF_INET6",
    AF_NETLINK: "AF_NETLINK",
    AF_PACKET: "AF_PACKET",
    AF_RDS: "AF_RDS",
    AF_CAN: "AF_CAN",
    AF_TIPC: "AF_TIPC",
    AF_BLUETOOTH: "AF_BLUETOOTH",
    AF_ALG: "AF_ALG",
    AF_VSOCK: "AF_VSOCK",
    AF_QIPCRTR: "AF_QIPCRTR",
}


def family_name(family):
    """The AF_ name of a family number, or the number as text."""
    return _FAMILY_NAMES.get(family, str(family))


# ------------------------------------------------------------ checks


def _tuple(address, family, low, high):
    """address as a tuple of low..high members, as socket.bind() checks."""
    name = family_name(family)
    if not isinstance(address, tuple):
        raise TypeError(
            "%s address must be tuple, not %s" % (name, type(address).__name__)
        )
    if not low <= len(address) <= high:
        if low == high:
            want = "%d elements" % low
        else:
            want = "%d to %d elements" % (low, high)
        raise TypeError("%s address must be a tuple of %s" % (name, want))
    return address


def _int(value, what, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = value.__index__()
        except AttributeError:
            raise TypeError(
                "%s must be an integer, not %s" % (what, type(value).__name__)
            ) from None
    if not low <= value <= high:
        raise OverflowError("%s must be %d-%d." % (what, low, high))
    return int(value)


def _text(value, what):
    """A str, or bytes in the file system encoding (interface names)."""
    if isinstance(value, (bytes, bytearray)):
        return os.fsdecode(bytes(value))
    if isinstance(value, str):
        return value
    raise TypeError("%s must be str or bytes, not %s" % (what, type(value).__name__))


def _host_text(host):
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("idna")
    if isinstance(host, str):
        return host
    raise TypeError("host must be str or bytes, not %s" % type(host).__name__)


# ------------------------------------------------------------ hosts


def _ipv4_host(host):
    """A numeric IPv4 host, '' or '<broadcast>', resolving names."""
    host = _host_text(host)
    if host in ("", "<broadcast>"):
        return host
    try:
        _socket.inet_pton(AF_INET, host)
        return host
    except OSError:
        pass
    # A name, or a numeric form only the resolver knows ("127.1"): the
    # first address, as socket.bind() takes it.
    return _socket.getaddrinfo(host, None, AF_INET)[0][4][0]


def _ipv6_host(host):
    """(numeric IPv6 host, scope id the name carried or 0)."""
    host = _host_text(host)
    if host == "":
        return "", 0
    try:
        _socket.inet_pton(AF_INET6, host)
        return host, 0
    except OSError:
        pass
    sa = _socket.getaddrinfo(host, None, AF_INET6)[0][4]
    return sa[0].split("%", 1)[0], sa[3]


def _hex_colon(data, what, size):
    data = bytes(data)
    if len(data) > size:
        raise ValueError("%s must be %d bytes or less" % (what, size))
    return ":".join("%02x" % b for b in data)


def _bdaddr(value):
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("ascii")
    if not isinstance(value, str):
        raise TypeError("bdaddr must be str or bytes, not %s" % type(value).__name__)
    return value


# ------------------------------------------------------------ to_json


def _inet(address, family):
    host, port = _tuple(address, family, 2, 2)
    return {"host": _ipv4_host(host), "port": _int(port, "port", 0, 0xFFFF)}


def _inet6(address):
    address = _tuple(address, AF_INET6, 2, 4)
    host, scope_of_name = _ipv6_host(address[0])
    port = _int(address[1], "port", 0, 0xFFFF)
    flowinfo = _int(address[2], "flowinfo", 0, 0xFFFFF) if len(address) > 2 else 0
    scope_id = _int(address[3], "scope_id", 0, 0xFFFFFFFF) if len(address) > 3 else 0
    # The order and members libsockbroker writes, which the broker reads
    # without its JSON parser (docs/PROTOCOL.md, Bind).
    return {
        "host": host,
        "port": port,
        "flowinfo": flowinfo,
        "scope_id": scope_id or scope_of_name,
    }


def _unix(address):
    if isinstance(address, str):
        address = os.fsencode(address)
    if not isinstance(address, (bytes, bytearray, memoryview)):
        raise TypeError(
            "AF_UNIX address must be str or bytes, not %s" % type(address).__name__
        )
    address = bytes(address)
    if address.startswith(b"\0"):
        return {"abstract": address[1:].decode("utf-8", "surrogateescape")}
    return {"path": os.fsdecode(address)}


def _netlink(address):
    pid, groups = _tuple(address, AF_NETLINK, 2, 2)
    return {
        "pid": _int(pid, "pid", 0, 0xFFFFFFFF),
        "groups": _int(groups, "groups", 0, 0xFFFFFFFF),
    }


def _tipc(address):
    address = _tuple(address, AF_TIPC, 4, 5)
    obj = {
        "addr_type": _int(address[0], "addr_type", 1, 3),
        "v1": _int(address[1], "v1", 0, 0xFFFFFFFF),
        "v2": _int(address[2], "v2", 0, 0xFFFFFFFF),
        "v3": _int(address[3], "v3", 0, 0xFFFFFFFF),
    }
    if len(address) > 4:
        obj["scope"] = _int(address[4], "scope", -128, 127)
    return obj


def _can(address, proto):
    if proto == CAN_ISOTP:
        ifname, rx, tx = _tuple(address, AF_CAN, 3, 3)
        return {
            "ifname": _text(ifname, "interface name"),
            "rx_id": _int(rx, "rx_addr", 0, 0xFFFFFFFF),
            "tx_id": _int(tx, "tx_addr", 0, 0xFFFFFFFF),
        }
    if proto == CAN_J1939:
        ifname, name, pgn, addr = _tuple(address, AF_CAN, 4, 4)
        return {
            "ifname": _text(ifname, "interface name"),
            "name": _int(name, "name", 0, 0xFFFFFFFFFFFFFFFF),
            "pgn": _int(pgn, "pgn", 0, 0xFFFFFFFF),
            "addr": _int(addr, "addr", 0, 0xFF),
        }
    (ifname,) = _tuple(address, AF_CAN, 1, 1)
    return {"ifname": _text(ifname, "interface name")}


def _packet(address):
    address = _tuple(address, AF_PACKET, 2, 5)
    obj = {
        "ifname": _text(address[0], "interface name"),
        # socket.bind() takes the ethertype in host byte order and
        # converts it (htons); the broker takes sll_protocol's own value.
        "protocol": _socket.htons(_int(address[1], "proto", 0, 0xFFFF)),
    }
    if len(address) > 2:
        obj["pkttype"] = _int(address[2], "pkttype", 0, 0xFF)
    if len(address) > 3:
        obj["hatype"] = _int(address[3], "hatype", 0, 0xFFFF)
    if len(address) > 4:
        obj["addr"] = _hex_colon(address[4], "hardware address", 8)
    return obj


def _alg(address):
    address = _tuple(address, AF_ALG, 2, 4)
    obj = {"type": _text(address[0], "type"), "name": _text(address[1], "name")}
    if len(address) > 2:
        obj["feat"] = _int(address[2], "feat", 0, 0xFFFFFFFF)
    if len(address) > 3:
        obj["mask"] = _int(address[3], "mask", 0, 0xFFFFFFFF)
    return obj


def _vsock(address):
    cid, port = _tuple(address, AF_VSOCK, 2, 2)
    return {
        "cid": _int(cid, "cid", 0, 0xFFFFFFFF),
        "port": _int(port, "port", 0, 0xFFFFFFFF),
    }


def _qrtr(address):
    node, port = _tuple(address, AF_QIPCRTR, 2, 2)
    return {
        "node": _int(node, "node", 0, 0xFFFFFFFF),
        "port": _int(port, "port", 0, 0xFFFFFFFF),
    }


def _bluetooth(address, proto):
    if proto == BTPROTO_SCO:
        # A bare address, bytes in the socket module's documentation.
        return {"bdaddr": _bdaddr(address)}
    if proto == BTPROTO_HCI:
        if isinstance(address, int):
            address = (address,)
        address = _tuple(address, AF_BLUETOOTH, 1, 2)
        obj = {"dev": _int(address[0], "device_id", 0, 0xFFFF)}
        if len(address) > 1:
            obj["channel"] = _int(address[1], "channel", 0, 0xFFFF)
        return obj
    if proto == BTPROTO_RFCOMM:
        bdaddr, channel = _tuple(address, AF_BLUETOOTH, 2, 2)
        return {"bdaddr": _bdaddr(bdaddr), "channel": _int(channel, "channel", 0, 0xFF)}
    if proto == BTPROTO_L2CAP:
        address = _tuple(address, AF_BLUETOOTH, 2, 4)
        obj = {"bdaddr": _bdaddr(address[0]), "psm": _int(address[1], "psm", 0, 0xFFFF)}
        if len(address) > 2:
            obj["cid"] = _int(address[2], "cid", 0, 0xFFFF)
        if len(address) > 3:
            obj["bdaddr_type"] = _int(address[3], "bdaddr_type", 0, 0xFF)
        return obj
    raise OSError(errno.EPROTONOSUPPORT, "unknown Bluetooth protocol %d" % proto)


def to_json(family, proto, address):
    """The broker's address object for a socket.bind() address.

    family and proto are those of the socket the address is for.  Raises
    TypeError, ValueError or OverflowError for an address socket.bind()
    would refuse in the same way, socket.gaierror for a host name that
    does not resolve, and OSError(EAFNOSUPPORT) for a family the broker
    has no address form for.
    """
    if family == AF_INET:
        return _inet(address, AF_INET)
    if family == AF_INET6:
        return _inet6(address)
    if family == AF_UNIX:
        return _unix(address)
    if family == AF_NETLINK:
        return _netlink(address)
    if family == AF_TIPC:
        return _tipc(address)
    if family == AF_CAN:
        return _can(address, proto)
    if family == AF_PACKET:
        return _packet(address)
    if family == AF_ALG:
        return _alg(address)
    if family == AF_VSOCK:
        return _vsock(address)
    if family == AF_QIPCRTR:
        return _qrtr(address)
    if family == AF_RDS:
        return _inet(address, AF_RDS)
    if family == AF_BLUETOOTH:
        return _bluetooth(address, proto)
    raise OSError(errno.EAFNOSUPPORT, "no address form for family %s" % family_name(family))


# ------------------------------------------------------------ from_json


def _named(value, names, what):
    if isinstance(value, str):
        try:
            return names[value]
        except KeyError:
            raise ValueError("unknown %s name %r in the reply" % (what, value)) from None
    return value


def _ifname(value):
    # The broker writes an index when the interface has no name here:
    # socket.getsockname() then gives '' as well.
    if isinstance(value, int):
        if value == 0:
            return ""
        try:
            return _socket.if_indextoname(value)
        except OSError:
            return ""
    return value


def _scope_id(value):
    if isinstance(value, str):
        try:
            return _socket.if_nametoindex(value)
        except OSError:
            return 0
    return value


def from_json(family, proto, obj):
    """The socket module's tuple for an address object of a reply."""
    if family in (AF_INET, AF_RDS):
        return (obj["host"], obj["port"])
    if family == AF_INET6:
        return (
            obj["host"],
            obj["port"],
            obj.get("flowinfo", 0),
            _scope_id(obj.get("scope_id", 0)),
        )
    if family == AF_UNIX:
        if "abstract" in obj:
            return b"\0" + obj["abstract"].encode("utf-8", "surrogateescape")
        return obj["path"]
    if family == AF_NETLINK:
        return (obj["pid"], obj["groups"])
    if family == AF_TIPC:
        return (
            _named(obj["addr_type"], _TIPC_NAMES, "TIPC address type"),
            obj["v1"],
            obj["v2"],
            obj["v3"],
            _named(obj.get("scope", 0), _TIPC_NAMES, "TIPC scope"),
        )
    if family == AF_CAN:
        ifname = _ifname(obj["ifname"])
        if proto == CAN_ISOTP:
            return (ifname, obj["rx_id"], obj["tx_id"])
        if proto == CAN_J1939:
            return (ifname, obj["name"], obj["pgn"], obj["addr"])
        return (ifname,)
    if family == AF_PACKET:
        protocol = obj.get("protocol", 0)
        if isinstance(protocol, str):
            protocol = _named(protocol, ETHERTYPES, "ethertype")
        else:
            protocol = _socket.ntohs(protocol)
        return (
            _ifname(obj["ifname"]),
            protocol,
            _named(obj.get("pkttype", 0), _PACKET_TYPES, "packet type"),
            obj.get("hatype", 0),
            bytes.fromhex(obj.get("addr", "").replace(":", "")),
        )
    if family == AF_ALG:
        return (obj["type"], obj["name"], obj.get("feat", 0), obj.get("mask", 0))
    if family == AF_VSOCK:
        return (obj["cid"], obj["port"])
    if family == AF_QIPCRTR:
        return (obj["node"], obj["port"])
    if family == AF_BLUETOOTH:
        if proto == BTPROTO_SCO:
            return obj["bdaddr"].encode("ascii")
        if proto == BTPROTO_HCI:
            if obj.get("channel"):
                return (obj["dev"], obj["channel"])
            return (obj["dev"],)
        if proto == BTPROTO_RFCOMM:
            return (obj["bdaddr"], obj["channel"])
        extra = ()
        if obj.get("cid") or obj.get("bdaddr_type"):
            extra = (obj.get("cid", 0),)
            if obj.get("bdaddr_type"):
                extra += (obj["bdaddr_type"],)
        return (obj["bdaddr"], obj["psm"]) + extra
    raise OSError(errno.EAFNOSUPPORT, "no address form for family %s" % family_name(family))
