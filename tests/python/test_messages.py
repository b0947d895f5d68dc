# SPDX-License-Identifier: LGPL-2.1-or-later
"""The package's messages (sockbroker._messages) against the interface
files (proto/*.varlink, from $SB_TEST_IDL, which tests/check-python.sh
sets, or the source tree): every method and type the package defines is
there with exactly its parameters, types and optionality; the reply
members it reads are in the reply, of the same types; and every call it
writes, to a scripted broker, carries each required parameter and
nothing the interface lacks."""

import glob
import json
import os
import re
import socket
import unittest

import sockbroker
from sockbroker import _messages
from test_wire import FakeBroker, reply, socket_reply

IDL_DIR = os.environ.get("SB_TEST_IDL") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto"
)

# The members the interface calls constants: a C name or a number
# (docs/PROTOCOL.md, "Constants"), though declared string.
CONSTANTS = {"family", "type", "flags", "protocol", "level", "name"}


# ------------------------------------------------------------ the parser


class Interface:
    def __init__(self, name):
        self.name = name
        self.types = {}  # name: [(member, type)]; an enum's types are None
        self.methods = {}  # name: ([(parameter, type)], [(member, type)])
        self.errors = {}  # name: [(member, type)]


def _group(text, i):
    """The text inside the parentheses opening at text[i], and the index
    after the closing one."""
    if i >= len(text) or text[i] != "(":
        raise ValueError("expected ( at %r" % text[i : i + 20])
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    raise ValueError("unbalanced ( at %r" % text[i : i + 20])


def _members(inside):
    """[(name, type)] of "a: int, b: ?[]T, ..."; blanks, newlines and
    nested parentheses (an inline struct) allowed; type None in an enum."""
    parts, depth, start = [], 0, 0
    for j, c in enumerate(inside):
        depth += c == "("
        depth -= c == ")"
        if c == "," and depth == 0:
            parts.append(inside[start:j])
            start = j + 1
    parts.append(inside[start:])
    members = []
    for part in parts:
        if not part.strip():
            continue
        name, colon, varlink_type = part.partition(":")
        members.append(
            (name.strip(), re.sub(r"\s+", "", varlink_type) if colon else None)
        )
    return members


def parse(text):
    """The Interface a Varlink interface description declares."""
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    m = re.search(r"^\s*interface\s+([\w.]+)", text, re.M)
    if not m:
        raise ValueError("no interface declaration")
    iface = Interface(m.group(1))
    pos = m.end()
    decl = re.compile(r"\s*(type|method|error)\s+(\w+)\s*")
    while text[pos:].strip():
        m = decl.match(text, pos)
        if not m:
            raise ValueError("cannot read %r" % text[pos : pos + 40].strip())
        kind, name = m.groups()
        inside, pos = _group(text, m.end())
        if kind == "method":
            arrow = re.compile(r"\s*->\s*").match(text, pos)
            if not arrow:
                raise ValueError("method %s has no ->" % name)
            out, pos = _group(text, arrow.end())
            iface.methods[name] = (_members(inside), _members(out))
        elif kind == "type":
            iface.types[name] = _members(inside)
        else:
            iface.errors[name] = _members(inside)
    return iface


_interfaces = None


def interfaces():
    """The interface files' Interfaces by name."""
    global _interfaces
    if _interfaces is None:
        files = sorted(glob.glob(os.path.join(IDL_DIR, "*.varlink")))
        if not files:
            if os.environ.get("SB_TEST_IDL"):
                raise AssertionError("no interface file in $SB_TEST_IDL (%s)" % IDL_DIR)
            raise unittest.SkipTest("no interface files at %s (SB_TEST_IDL)" % IDL_DIR)
        found = {}
        for path in files:
            with open(path, encoding="utf-8") as f:
                iface = parse(f.read())
            found[iface.name] = iface
        _interfaces = found
    return _interfaces


def split(full_name):
    """(Interface, member name) of 'interface.Name'."""
    iface_name, _dot, name = full_name.rpartition(".")
    iface = interfaces().get(iface_name)
    if iface is None:
        raise AssertionError("%s: no interface file declares %s" % (full_name, iface_name))
    return iface, name


def required(members):
    return [name for name, t in members if not t.startswith("?")]


# ------------------------------------------------------------ values


def conforms(value, varlink_type, iface, constant=False):
    """Whether a JSON value is of varlink_type of iface; a constant's
    'string' takes a number too."""
    t = varlink_type
    if t.startswith("?"):
        return value is None or conforms(value, t[1:], iface, constant)
    if t.startswith("[]"):
        return isinstance(value, list) and all(conforms(v, t[2:], iface, constant) for v in value)
    if t.startswith("[string]"):
        return isinstance(value, dict) and all(
            isinstance(k, str) and conforms(v, t[8:], iface) for k, v in value.items()
        )
    if t == "string":
        return isinstance(value, str) or (
            constant and isinstance(value, int) and not isinstance(value, bool)
        )
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "bool":
        return isinstance(value, bool)
    if t == "object":
        return isinstance(value, dict)
    if t in iface.types:
        return object_problems(value, iface.types[t], iface) == []
    raise AssertionError("unknown type %s" % t)


def object_problems(obj, members, iface):
    """What is wrong with obj as an object of members: missing required
    ones, names the interface lacks, values of another type."""
    if not isinstance(obj, dict):
        return ["not an object: %r" % (obj,)]
    types = dict(members)
    problems = ["missing required %s" % n for n in required(members) if n not in obj]
    for name, value in obj.items():
        if name not in types:
            problems.append("%s is not in the interface" % name)
        elif not conforms(value, types[name], iface, name in CONSTANTS):
            problems.append("%s: %r is not %s" % (name, value, types[name]))
    return problems


# ------------------------------------------------------------ the tests


class Parser(unittest.TestCase):
    def test_parser(self):
        """the parser reads types, enums, multi-line lists, maps, comments and errors"""
        iface = parse(
            "# A comment\n"
            "interface org.example.test\n\n"
            "type Pair (\n\tkey: string,\n\tvalue: ?int # comment\n)\n"
            "type Colour (red, green)\n"
            "# More\n"
            "method Do(\n\ta: int,\n\tb: ?string,\n\tc: []Pair,\n"
            "\td: object,\n\te: [string]string,\n\tf: (x: int, y: ?bool)\n"
            ") -> (\n\tok: bool\n)\n"
            "method None() -> ()\n"
            "error Failed (errno: int, message: string)\n"
        )
        self.assertEqual(iface.name, "org.example.test")
        self.assertEqual(iface.types, {
            "Pair": [("key", "string"), ("value", "?int")],
            "Colour": [("red", None), ("green", None)],
        })
        self.assertEqual(iface.methods, {
            "Do": ([("a", "int"), ("b", "?string"), ("c", "[]Pair"), ("d", "object"),
                    ("e", "[string]string"), ("f", "(x:int,y:?bool)")],
                   [("ok", "bool")]),
            "None": ([], []),
        })
        self.assertEqual(iface.errors, {"Failed": [("errno", "int"), ("message", "string")]})
        with self.assertRaises(ValueError):
            parse("interface a.b\nmethod M(a: int\n")

    def test_interface_files(self):
        """the interface files parse, each declaring methods"""
        found = interfaces()
        for name in ("org.sockbroker", "org.sockbroker.admin", "org.varlink.service"):
            self.assertIn(name, found)
            self.assertTrue(found[name].methods, name)
        self.assertEqual(
            sorted(found["org.sockbroker"].methods), ["Bind", "Info", "SetSockOpt", "Socket"]
        )


class Definitions(unittest.TestCase):
    def test_methods_agree(self):
        """each method the package defines has exactly its parameters, types and optionality"""
        self.assertTrue(_messages.METHODS)
        for method in _messages.METHODS:
            with self.subTest(method=method.name):
                iface, name = split(method.name)
                self.assertIn(name, iface.methods, "%s: no such method" % method.name)
                params, _reply = iface.methods[name]
                self.assertEqual(
                    list(method.parameters), params,
                    "%s: the package's parameters (first) differ from the interface's"
                    % method.name,
                )

    def test_reply_members_agree(self):
        """each reply member the package reads is in the reply, of the same type"""
        for method in _messages.METHODS:
            iface, name = split(method.name)
            _params, reply_members = iface.methods.get(name, ([], []))
            members = dict(reply_members)
            for member, varlink_type in method.reply:
                with self.subTest(method=method.name, member=member):
                    self.assertIn(member, members, "%s: the reply has no %s" % (method.name, member))
                    self.assertEqual(varlink_type, members[member],
                                     "%s: reply member %s" % (method.name, member))

    def test_types_agree(self):
        """each type the package builds has exactly its members, types and optionality"""
        for t in _messages.TYPES:
            with self.subTest(type=t.name):
                iface, name = split(t.name)
                self.assertIn(name, iface.types, "%s: no such type" % t.name)
                self.assertEqual(list(t.members), iface.types[name])

    def test_required_parameters_are_needed(self):
        """a call without a required parameter, or with an unknown one, is refused"""
        for method in _messages.METHODS:
            iface, name = split(method.name)
            params, _reply = iface.methods[name]
            needed = required(params)
            # Each required one given (a stand-in value), each optional absent.
            values = {n: 0 for n in needed}
            call = method.call(**values)
            self.assertEqual(call, {"method": method.name, "parameters": values})
            for n in needed:
                with self.subTest(method=method.name, missing=n):
                    with self.assertRaises(TypeError):
                        method.call(**{k: v for k, v in values.items() if k != n})
            with self.subTest(method=method.name, unknown="no_such_parameter"):
                with self.assertRaises(TypeError):
                    method.call(no_such_parameter=1, **values)


def _handler(call, fds, conn):
    method = call["method"]
    if method == "org.sockbroker.Socket":
        socket_reply(conn, socket.AF_INET, socket.SOCK_DGRAM)
    elif method == "org.sockbroker.Bind":
        reply(conn, {"parameters": {"address": call["parameters"]["address"]}})
    else:
        reply(conn, {"parameters": {}})


class OnTheWire(unittest.TestCase):
    def test_calls_carry_what_the_interface_says(self):
        """every call the package writes names a method of the interface, with each required parameter and only its parameters, of their types"""
        f = FakeBroker(_handler)
        self.addCleanup(f.close)
        b = sockbroker.Broker(f.path)
        self.addCleanup(b.close)
        # Every parameter of Socket (netns: the broker does it all).
        s = b.socket(
            socket.AF_INET,
            socket.SOCK_DGRAM | socket.SOCK_NONBLOCK,
            0,
            options=[
                (socket.SOL_SOCKET, sockbroker.SO_MARK, 0x100),
                ("SOL_SOCKET", "SO_BINDTODEVICE", "lo"),
            ],
            bind=("127.0.0.1", 80),
            listen=5,
            netns="sbtest",
        )
        with s:
            b.setsockopt(s, socket.SOL_SOCKET, sockbroker.SO_MARK, 1)
            b.setsockopt(s, socket.SOL_SOCKET, sockbroker.SO_BINDTODEVICE, b"lo\0")
            self.assertEqual(b.bind(s, ("127.0.0.1", 80)), ("127.0.0.1", 80))
        b.info()

        calls = [json.loads(raw) for raw in f.calls]
        self.assertEqual(
            [c["method"] for c in calls],
            ["org.sockbroker.Socket", "org.sockbroker.SetSockOpt",
             "org.sockbroker.SetSockOpt", "org.sockbroker.Bind", "org.sockbroker.Info"],
        )
        for i, c in enumerate(calls):
            with self.subTest(call=i, method=c["method"]):
                self.assertEqual(set(c), {"method", "parameters"})
                iface, name = split(c["method"])
                self.assertIn(name, iface.methods)
                params, _reply = iface.methods[name]
                self.assertEqual(object_problems(c["parameters"], params, iface), [])
        self.assertEqual(
            list(calls[0]["parameters"]),
            [n for n, _t in interfaces()["org.sockbroker"].methods["Socket"][0]],
            "the full Socket call: every parameter, in the interface's order",
        )


if __name__ == "__main__":
    unittest.main()
