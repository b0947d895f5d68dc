# SPDX-License-Identifier: LGPL-2.1-or-later
"""The connection to sockbrokerd and the calls of org.sockbroker.

docs/PROTOCOL.md is the specification this follows: Varlink messages
(one JSON object and a NUL byte) on an AF_UNIX stream socket, descriptors
as SCM_RIGHTS on the sendmsg() that carries a message's first byte.
"""

import array
import builtins
import errno
import json
import os
import socket as _socket
import sys
import threading
import weakref

from . import _address, _messages

try:
    from ._build import SOCKET_PATH as _BUILT_SOCKET_PATH
except ImportError:  # the package as it is in the source tree
    _BUILT_SOCKET_PATH = "/run/sockbroker/sockbroker.sock"

DEFAULT_SOCKET = _BUILT_SOCKET_PATH

# A message is at most 65536 bytes with its NUL (docs/PROTOCOL.md, "Transport
# and framing").
_MAX_MESSAGE = 65536
_NONBLOCK = getattr(_socket, "SOCK_NONBLOCK", 0o4000)
_CLOEXEC = getattr(_socket, "SOCK_CLOEXEC", 0o2000000)
_MSG_CMSG_CLOEXEC = getattr(_socket, "MSG_CMSG_CLOEXEC", 0x40000000)
_MSG_NOSIGNAL = getattr(_socket, "MSG_NOSIGNAL", 0x4000)
# Room for the one descriptor a reply carries (more are cut, MSG_CTRUNC,
# and the kernel closes them).
_CMSG_SPACE = _socket.CMSG_SPACE(4)
_SO_DOMAIN = getattr(_socket, "SO_DOMAIN", 39)
_SO_PROTOCOL = getattr(_socket, "SO_PROTOCOL", 38)

# The options the broker sets on a socket of the caller (SetSockOpt), by
# name: the socket module's values, or Linux's for the names a Python
# build lacks.
OPTION_CONSTANTS = {
    name: getattr(_socket, name, value)
    for name, value in (
        ("SO_DEBUG", 1),
        ("SO_PRIORITY", 12),
        ("SO_BINDTODEVICE", 25),
        ("SO_SNDBUFFORCE", 32),
        ("SO_RCVBUFFORCE", 33),
        ("SO_MARK", 36),
        ("SO_BINDTOIFINDEX", 62),
        ("SO_PREFER_BUSY_POLL", 69),
        ("SO_BUSY_POLL_BUDGET", 70),
        ("IP_TRANSPARENT", 19),
        ("IPV6_TRANSPARENT", 75),
        ("TCP_CONGESTION", 13),
        ("NETLINK_LISTEN_ALL_NSID", 8),
    )
}

# The options whose value travels as text ("text", not "value"), as
# (level, optname) numbers: an interface name, an algorithm name.
_TEXT_OPTIONS = {
    (getattr(_socket, "SOL_SOCKET", 1), OPTION_CONSTANTS["SO_BINDTODEVICE"]),
    (getattr(_socket, "SOL_TCP", 6), OPTION_CONSTANTS["TCP_CONGESTION"]),
}

# The errno values each error may carry (docs/PROTOCOL.md, "Messages");
# anything else, or none, becomes the first. None: the kernel's or the
# parser's, any errno.
_ERROR_ERRNOS = {
    "org.sockbroker.PermissionDenied": (errno.EACCES, errno.EPERM),
    "org.sockbroker.SystemError": None,
    "org.sockbroker.BadDescriptor": (errno.EBADF, errno.ENOTSOCK, errno.EINVAL),
    "org.varlink.service.InvalidParameter": None,
    "org.sockbroker.LimitExceeded": (
        errno.EAGAIN,
        errno.EMFILE,
        errno.E2BIG,
        errno.ETOOMANYREFS,
    ),
    "org.sockbroker.NotSupported": (errno.EOPNOTSUPP,),
    "org.sockbroker.ProtocolError": (errno.EBADMSG, errno.EMSGSIZE),
    "org.varlink.service.MethodNotFound": (errno.ENOSYS,),
    "org.varlink.service.MethodNotImplemented": (errno.ENOSYS,),
    "org.varlink.service.InterfaceNotFound": (errno.ENOENT,),
}
_ERROR_DEFAULT_ERRNO = {
    "org.sockbroker.SystemError": errno.EIO,
    "org.varlink.service.InvalidParameter": errno.EINVAL,
}


def _broker_error(name, parameters):
    """The OSError subclass for an error reply, chosen by its errno."""
    p = parameters if isinstance(parameters, dict) else {}
    num = p.get("errno")
    valid = isinstance(num, int) and not isinstance(num, bool) and 0 < num < 4096
    allowed = _ERROR_ERRNOS.get(name, None)
    if name in _ERROR_ERRNOS:
        if allowed is None:
            if not valid:
                num = _ERROR_DEFAULT_ERRNO[name]
        elif not valid or num not in allowed:
            num = allowed[0]
    elif not valid:
        num = errno.EPROTO
    message = p.get("message")
    if not isinstance(message, str) or not message:
        message = name
    exc = OSError(num, message)
    exc.varlink_error = name
    exc.rule = p.get("rule")
    exc.parameter = p.get("parameter")
    return exc


def _protocol_error(what):
    exc = OSError(errno.EPROTO, "malformed reply from the broker: %s" % what)
    exc.varlink_error = None
    exc.rule = None
    exc.parameter = None
    return exc


class _Disconnected(Exception):
    """The broker closed the connection before the reply was complete."""


def _is_setuid():
    # SOCKBROKER_SOCKET is not for set-uid or set-gid programs: they would
    # take sockets from a broker their caller chose (secure_getenv(3)).
    return os.getuid() != os.geteuid() or os.getgid() != os.getegid()


def _fileno(sock):
    if isinstance(sock, int) and not isinstance(sock, bool):
        fd = sock
    else:
        try:
            fd = sock.fileno()
        except AttributeError:
            raise TypeError(
                "expected a socket or a file descriptor, not %s" % type(sock).__name__
            ) from None
    if fd < 0:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))
    return fd


def _constant(value, what):
    """A constant as the protocol takes it: a number, or its C name."""
    if isinstance(value, str):
        if not value:
            raise ValueError("%s must not be empty" % what)
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(value.__index__())
        except AttributeError:
            raise TypeError(
                "%s must be an integer or a name, not %s" % (what, type(value).__name__)
            ) from None
    return int(value)


def _local_number(value):
    """The number of a constant for a local setsockopt(), or None."""
    if isinstance(value, int):
        return value
    number = OPTION_CONSTANTS.get(value)
    if number is None:
        number = getattr(_socket, value, None)
    return number if isinstance(number, int) else None


def _option_json(level, optname, value):
    """One SocketOption object (docs/PROTOCOL.md, "Socket")."""
    text = (_local_number(level), _local_number(optname)) in _TEXT_OPTIONS
    number = string = None
    if isinstance(value, (bool, int)):
        number = int(value)
    elif isinstance(value, str):
        string = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if text:
            # As the kernel reads it: up to the first NUL.
            string = os.fsdecode(data.split(b"\0", 1)[0])
        elif len(data) == 4:
            number = int.from_bytes(data, sys.byteorder, signed=True)
        else:
            raise ValueError("an option value in bytes must be 4 bytes (a C int)")
    else:
        raise TypeError(
            "option value must be int, str or bytes, not %s" % type(value).__name__
        )
    return _messages.SOCKET_OPTION.build(
        level=_constant(level, "level"),
        name=_constant(optname, "optname"),
        value=number,
        text=string,
    )


def _options(options):
    result = []
    for opt in options:
        if not isinstance(opt, tuple) or len(opt) != 3:
            raise TypeError("each option must be a tuple (level, optname, value)")
        result.append((opt, _option_json(*opt)))
    return result


# Every Broker, for the fork handler.
_brokers = weakref.WeakSet()


def _after_fork_in_child():
    # The child never talks on its parent's connection: it drops its copy
    # (the parent's stays open) and connects anew on first use. A lock
    # another thread held at the fork would never be released here.
    for b in list(_brokers):
        b._lock = threading.Lock()
        b._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Broker:
    """A connection to sockbrokerd.

    Broker(path=None) connects at once to the broker at path, or, when
    path is None, at $SOCKBROKER_SOCKET (ignored in set-uid programs) or
    the built-in path (DEFAULT_SOCKET).  No broker there raises
    FileNotFoundError or ConnectionRefusedError at once.

    The methods are those of the module: socket(), bind(), setsockopt(),
    create_server() and info().  A Broker is safe to share between
    threads (one call at a time goes over the connection) and survives
    fork(): a child process connects anew on its first call.  After the
    broker closes an idle connection, the next call connects again.  As a
    context manager it closes the connection on exit.
    """

    def __init__(self, path=None):
        self._setup(path)
        with self._lock:
            self._connect()

    @classmethod
    def _lazy(cls):
        """A Broker that connects on its first call (the module's)."""
        self = cls.__new__(cls)
        self._setup(None)
        return self

    def _setup(self, path):
        if path is not None:
            path = os.fspath(path)
            if not path:
                raise ValueError("the broker's path must not be empty")
        self._path = path
        self._lock = threading.Lock()
        self._conn = None
        self._pid = None
        self._buf = b""
        self._closed = False
        _brokers.add(self)

    # ------------------------------------------------------------ plumbing

    @property
    def path(self):
        """The path of the broker's socket this Broker connects to."""
        if self._path is not None:
            return self._path
        env = None if _is_setuid() else os.environ.get("SOCKBROKER_SOCKET")
        return env or DEFAULT_SOCKET

    def _connect(self):
        path = self.path
        conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            conn.connect(path)
        except OSError as e:
            conn.close()
            raise OSError(
                e.errno, "cannot connect to the broker: %s" % (e.strerror or e), path
            ) from None
        self._conn = conn
        self._pid = os.getpid()
        self._buf = b""

    def _forget(self):
        conn, self._conn = self._conn, None
        self._buf = b""
        if conn is not None:
            conn.close()

    def close(self):
        """Close the connection; later calls raise OSError (EBADF)."""
        with self._lock:
            self._closed = True
            self._forget()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._closed else "open"
        return "<sockbroker.Broker %s %r>" % (state, self.path)

    def _send(self, data, fd):
        conn = self._conn
        if fd is None:
            conn.sendall(data, _MSG_NOSIGNAL)
            return
        # The descriptor goes with the message's first byte; a short
        # write continues without it.
        sent = _socket.send_fds(conn, [data], [fd], _MSG_NOSIGNAL)
        if sent < len(data):
            conn.sendall(data[sent:], _MSG_NOSIGNAL)

    def _receive(self, fds):
        """One whole message; descriptors that came with it go to fds."""
        while True:
            nul = self._buf.find(b"\0")
            if nul >= 0:
                message, self._buf = self._buf[:nul], self._buf[nul + 1 :]
                return message
            if len(self._buf) >= _MAX_MESSAGE:
                raise _protocol_error("a message longer than %d bytes" % _MAX_MESSAGE)
            # socket.recv_fds() would drop the flags (MSG_CMSG_CLOEXEC).
            data, ancdata, _flags, _addr = self._conn.recvmsg(
                _MAX_MESSAGE, _CMSG_SPACE, _MSG_CMSG_CLOEXEC
            )
            for level, kind, payload in ancdata:
                if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                    n = len(payload) - len(payload) % 4
                    fds.extend(array.array("i", payload[:n]))
            if not data:
                raise _Disconnected()
            self._buf += data

    def _call(self, call, fd=None, may_repeat=None):
        """Send one call (from _messages) and return (reply parameters,
        descriptors).

        A connection the broker closed (idle timeout, restart) is opened
        again and the call repeated once when that is harmless: when the
        call did not go out, or may_repeat() says so.
        """
        data = json.dumps(
            call,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode("utf-8") + b"\0"
        if len(data) > _MAX_MESSAGE:
            raise OSError(errno.EMSGSIZE, "the call is longer than %d bytes" % _MAX_MESSAGE)
        with self._lock:
            if self._closed:
                raise OSError(errno.EBADF, "the connection to the broker is closed")
            if self._conn is not None and self._pid != os.getpid():
                self._forget()
            for attempt in (1, 2):
                if self._conn is None:
                    self._connect()
                fds = []
                try:
                    try:
                        self._send(data, fd)
                    except (BrokenPipeError, ConnectionResetError):
                        # The broker had closed the connection: it saw
                        # nothing of the call.
                        self._forget()
                        if attempt == 1:
                            continue
                        raise
                    try:
                        message = self._receive(fds)
                    except (_Disconnected, ConnectionResetError):
                        self._forget()
                        if attempt == 1 and (may_repeat is None or may_repeat()):
                            for f in fds:
                                os.close(f)
                            continue
                        raise ConnectionResetError(
                            errno.ECONNRESET, "the broker closed the connection"
                        ) from None
                    reply = self._decode(message)
                except BaseException:
                    for f in fds:
                        os.close(f)
                    raise
                break
        if "error" in reply:
            for f in fds:
                os.close(f)
            raise _broker_error(reply["error"], reply.get("parameters"))
        params = reply.get("parameters", {})
        if not isinstance(params, dict):
            for f in fds:
                os.close(f)
            raise _protocol_error("parameters is not an object")
        return params, fds

    def _decode(self, message):
        try:
            reply = json.loads(message)
        except ValueError as e:
            self._forget()
            raise _protocol_error(str(e)) from None
        if not isinstance(reply, dict) or (
            "error" in reply and not isinstance(reply["error"], str)
        ):
            self._forget()
            raise _protocol_error("not a Varlink reply")
        return reply

    def _socket_reply(self, call, family, type, proto):
        params, fds = self._call(call)
        reply = _messages.SOCKET.read(params)
        if len(fds) != 1 or reply["fd"] != 0:
            for f in fds:
                os.close(f)
            raise _protocol_error("the reply to Socket carries no socket")
        protocol = reply["protocol"]
        if protocol is None:
            protocol = proto
        try:
            # Family, type and protocol given: socket(fileno=) alone would
            # ask the kernel, which answers wrongly for some families.
            return _socket.socket(family, type, protocol, fds[0])
        except BaseException:
            os.close(fds[0])
            raise

    # ------------------------------------------------------------ methods

    def socket(
        self,
        family=_socket.AF_INET,
        type=_socket.SOCK_STREAM,
        proto=0,
        *,
        options=(),
        bind=None,
        listen=None,
        netns=None,
    ):
        """A new socket.socket created by the broker, as the caller.

        family, type and proto are those of socket.socket(); type may
        carry SOCK_NONBLOCK (and SOCK_CLOEXEC, which every socket of this
        module has anyway, as Python's own).  options is a sequence of
        (level, optname, value) set in order before the bind, each
        level and optname a number or its C name ('SOL_SOCKET',
        'SO_MARK'), value an int, or str / bytes for SO_BINDTODEVICE and
        TCP_CONGESTION.
        bind is an address in the form socket.bind() takes for the
        family; listen a backlog to listen() with after the bind; netns
        the name of a network namespace under /run/netns to create the
        socket in.

        With bind and no netns, a socket the caller may create itself is
        created here, its options set here where that is allowed, and
        only the bind asked of the broker (a bind rule is then enough for
        a privileged port).  Otherwise the broker does it all in one call.
        Errors raise the OSError subclass of their errno, with the
        broker's reason: PermissionError when the policy denies.
        """
        family = int(family)
        type = int(type)
        proto = int(proto)
        if type & ~(0xF | _NONBLOCK | _CLOEXEC):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        opts = _options(options)
        if listen is not None:
            listen = int(listen)
            if not 0 <= listen <= 65535:
                raise ValueError("listen backlog must be 0-65535")
        if bind is not None and netns is None:
            sock = self._local_socket(family, type, proto)
            if sock is not None:
                try:
                    for (level, optname, value), obj in opts:
                        self._set_local(sock, level, optname, value, obj)
                    self.bind(sock, bind)
                    if listen is not None:
                        sock.listen(listen)
                except BaseException:
                    sock.close()
                    raise
                return sock
        flags = []
        if type & _NONBLOCK:
            flags.append("SOCK_NONBLOCK")
        if type & _CLOEXEC:
            flags.append("SOCK_CLOEXEC")
        if netns is not None and not isinstance(netns, str):
            raise TypeError("netns must be str, not %s" % builtins.type(netns).__name__)
        call = _messages.SOCKET.call(
            family=family,
            type=type & 0xF,
            flags=flags or None,
            protocol=proto,
            options=[obj for _opt, obj in opts] or None,
            bind=None if bind is None else _address.to_json(family, proto, bind),
            listen=listen,
            netns=netns,
        )
        return self._socket_reply(call, family, type, proto)

    @staticmethod
    def _local_socket(family, type, proto):
        """The socket made here, or None when only the broker may."""
        try:
            return _socket.socket(family, type, proto)
        except (PermissionError, OSError) as e:
            if isinstance(e, PermissionError) or e.errno in (
                errno.EAFNOSUPPORT,
                errno.EPROTONOSUPPORT,
                errno.ESOCKTNOSUPPORT,
            ):
                return None
            raise

    def _set_local(self, sock, level, optname, value, obj):
        lnum, onum = _local_number(level), _local_number(optname)
        if lnum is not None and onum is not None:
            try:
                if isinstance(value, str):
                    value = os.fsencode(value)
                sock.setsockopt(lnum, onum, value)
                return
            except PermissionError:
                pass
        self._call(_messages.SET_SOCK_OPT.call(fd=0, **obj), fd=sock.fileno())

    def bind(self, sock, address):
        """Have the broker bind sock, a socket the program holds.

        address is in the form socket.bind() takes for the socket's
        family (and protocol).  The broker decides on what the kernel
        reports of the socket.  Returns the socket's local address after
        the bind, as a tuple in the same form.
        """
        fd = _fileno(sock)
        with _Borrowed(sock, fd) as s:
            family = s.getsockopt(_socket.SOL_SOCKET, _SO_DOMAIN)
            proto = s.getsockopt(_socket.SOL_SOCKET, _SO_PROTOCOL)
            obj = _address.to_json(family, proto, address)
            before = _getsockname(s)

            def not_applied():
                # Binding twice fails: repeat only while the address is
                # as it was before the call.
                return before is not None and _getsockname(s) == before

            params, fds = self._call(
                _messages.BIND.call(fd=0, address=obj),
                fd=fd,
                may_repeat=not_applied,
            )
        for f in fds:
            os.close(f)
        address = _messages.BIND.read(params)["address"]
        if address is None:
            raise _protocol_error("the reply to Bind carries no address")
        return _address.from_json(family, proto, address)

    def setsockopt(self, sock, level, optname, value):
        """Have the broker set a privileged option on sock.

        As socket.setsockopt(level, optname, value): level and optname
        are numbers (or C names), value an int, or for SO_BINDTODEVICE and
        TCP_CONGESTION a str or bytes.  Only options that need privilege
        are brokered (SO_MARK, SO_PRIORITY, SO_RCVBUFFORCE, SO_SNDBUFFORCE,
        SO_DEBUG, SO_BINDTODEVICE, SO_BINDTOIFINDEX, SO_PREFER_BUSY_POLL,
        SO_BUSY_POLL_BUDGET, IP_TRANSPARENT, IPV6_TRANSPARENT,
        TCP_CONGESTION, NETLINK_LISTEN_ALL_NSID); set others yourself.
        """
        fd = _fileno(sock)
        obj = _option_json(level, optname, value)
        _params, fds = self._call(_messages.SET_SOCK_OPT.call(fd=0, **obj), fd=fd)
        for f in fds:
            os.close(f)

    def create_server(
        self,
        address,
        *,
        family=_socket.AF_INET,
        backlog=None,
        reuse_port=False,
        dualstack_ipv6=False,
    ):
        """A listening TCP socket bound to address, as socket.create_server().

        The socket is created here and only the bind asked of the broker,
        so ports below 1024 need no more than a bind rule; where the
        program may not create the socket itself, the broker creates it
        too.
        """
        if reuse_port and not hasattr(_socket, "SO_REUSEPORT"):
            raise ValueError("SO_REUSEPORT not supported on this platform")
        if dualstack_ipv6:
            if not _socket.has_dualstack_ipv6():
                raise ValueError("dualstack_ipv6 not supported on this platform")
            if family != _socket.AF_INET6:
                raise ValueError("dualstack_ipv6 requires AF_INET6 family")
        options = [(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)]
        if reuse_port:
            options.append((_socket.SOL_SOCKET, _socket.SO_REUSEPORT, 1))
        if _socket.has_ipv6 and family == _socket.AF_INET6:
            if dualstack_ipv6:
                options.append((_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 0))
            elif hasattr(_socket, "IPV6_V6ONLY") and hasattr(_socket, "IPPROTO_IPV6"):
                options.append((_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 1))
        if backlog is None:
            backlog = min(_socket.SOMAXCONN, 128)
        try:
            return self.socket(
                family, _socket.SOCK_STREAM, options=options, bind=address, listen=backlog
            )
        except OSError as err:
            exc = OSError(
                err.errno,
                "%s (while attempting to bind on address %r)" % (err.strerror, address),
            )
            for key in ("varlink_error", "rule", "parameter"):
                setattr(exc, key, getattr(err, key, None))
            raise exc from None

    def info(self):
        """What the broker is, what its kernel supports and who the caller is.

        A dict: 'version', 'limits' (a dict), 'families' (the names of
        the families the broker's kernel can create, such as 'AF_CAN'),
        'features' (the optional parts the broker was built with, such as
        'bluetooth-addresses') and 'caller' ('uid', 'gid', 'pid', 'groups').
        """
        params, fds = self._call(_messages.INFO.call())
        for f in fds:
            os.close(f)
        # Whole, as the broker sent it: members a newer broker adds too.
        return params


class _Borrowed:
    """A socket object for sock: itself, or one on a duplicate of fd."""

    def __init__(self, sock, fd):
        self._own = None
        self.sock = sock
        if not isinstance(sock, _socket.socket):
            self._own = self.sock = _socket.socket(fileno=os.dup(fd))

    def __enter__(self):
        return self.sock

    def __exit__(self, *exc):
        if self._own is not None:
            self._own.close()


def _getsockname(sock):
    try:
        return sock.getsockname()
    except OSError:
        return None
