# SPDX-License-Identifier: LGPL-2.1-or-later
"""The messages the package sends and reads, each defined once.

Per method of org.sockbroker (proto/org.sockbroker.varlink): its call
parameters, every one, in the interface file's order and with its
Varlink type ('?' marks an optional one), and the reply members the
package reads.  The calls in _broker.py are built by Method.call() and
their replies read by Method.read(); tests/python/test_messages.py
checks these definitions against the interface file.

Constants (family, type, protocol, flags, level, name) are 'string' in
the interface, and go as a number or a C name (docs/PROTOCOL.md,
"Constants"): the types here are the interface's, not checked on values.
"""


def _required(varlink_type):
    return not varlink_type.startswith("?")


def _build(what, members, values):
    """The object of members for values: unknown names refused, a missing
    required member refused, an absent (None) optional one omitted, in
    the interface's order."""
    unknown = set(values) - {name for name, _type in members}
    if unknown:
        raise TypeError("%s has no member %s" % (what, ", ".join(sorted(unknown))))
    obj = {}
    for name, varlink_type in members:
        value = values.get(name)
        if value is not None:
            obj[name] = value
        elif _required(varlink_type):
            raise TypeError("%s needs %s" % (what, name))
    return obj


def _conforms(value, varlink_type):
    """Whether a JSON value read is of varlink_type (named types are
    objects; an optional member's null is absent)."""
    t = varlink_type.lstrip("?")
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "bool":
        return isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t.startswith("[]"):
        return isinstance(value, list)
    # object, [string]T, a named type
    return isinstance(value, dict)


class Type:
    """A type of the interface that calls carry as a member."""

    def __init__(self, name, members):
        self.name = name  # interface.Type
        self.members = tuple(members)  # ((name, Varlink type), ...)

    def build(self, **values):
        """The object, from its members by name (None: absent)."""
        return _build(self.name, self.members, values)


class Method:
    """A method: its call parameters and the reply members read."""

    def __init__(self, name, parameters, reply):
        self.name = name  # interface.Method
        self.parameters = tuple(parameters)  # ((name, Varlink type), ...)
        self.reply = tuple(reply)  # those of the reply the package reads

    def call(self, **values):
        """The call message, its parameters by name (None: absent)."""
        return {"method": self.name, "parameters": _build(self.name, self.parameters, values)}

    def read(self, parameters):
        """The reply members the package reads, by name: each value, or
        None where it is absent or not of its type."""
        return {
            name: parameters[name]
            if name in parameters and _conforms(parameters[name], varlink_type)
            else None
            for name, varlink_type in self.reply
        }


SOCKET_OPTION = Type(
    "org.sockbroker.SocketOption",
    [
        ("level", "string"),
        ("name", "string"),
        ("value", "?int"),
        ("text", "?string"),
    ],
)

SOCKET = Method(
    "org.sockbroker.Socket",
    [
        ("family", "string"),
        ("type", "string"),
        ("flags", "?[]string"),
        ("protocol", "?string"),
        ("options", "?[]SocketOption"),
        ("bind", "?object"),
        ("listen", "?int"),
        ("netns", "?string"),
    ],
    reply=[
        ("fd", "int"),
        ("protocol", "int"),
    ],
)

BIND = Method(
    "org.sockbroker.Bind",
    [
        ("fd", "int"),
        ("address", "object"),
    ],
    reply=[
        ("address", "object"),
    ],
)

SET_SOCK_OPT = Method(
    "org.sockbroker.SetSockOpt",
    [
        ("fd", "int"),
        ("level", "string"),
        ("name", "string"),
        ("value", "?int"),
        ("text", "?string"),
    ],
    reply=[],
)

# info() returns the reply whole; these are the members it documents.
INFO = Method(
    "org.sockbroker.Info",
    [],
    reply=[
        ("version", "string"),
        ("limits", "Limits"),
        ("families", "[]string"),
        ("features", "[]string"),
        ("caller", "Caller"),
    ],
)

TYPES = (SOCKET_OPTION,)
METHODS = (SOCKET, BIND, SET_SOCK_OPT, INFO)
