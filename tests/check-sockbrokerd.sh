#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sockbrokerd's command line and start: --check-policy on good and broken
# policies, an explicit --policy that does not exist, starting without
# the capabilities brokering needs; and Varlink introspection by a client
# that is not the project's (a few lines of Python speaking the wire
# protocol). Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
daemon=$top_builddir/sockbrokerd
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run sockbrokerd and to change capabilities"
need_tools python3 setpriv

dir=$(mktemp -d /tmp/sockbroker-daemon-XXXXXX) || exit 1
chmod 755 "$dir"
stderr_file=$dir/err
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT

run() {
	out=$("$@" 2>"$stderr_file")
	status=$?
	err=$(cat "$stderr_file")
}
err_has() { grep -qE -- "$1" <<<"$err"; }

# A policy directory of its own: the loader refuses a world-writable one.
mkdir -m 755 "$dir/etc" "$dir/etc/policy.d"
policy=$dir/etc/policy.conf
printf '%s\n' "# good" "allow user:nobody socket family=AF_INET" >"$policy"
printf '%s\n' "allow user:nobody bind family=AF_INET port=80" >"$dir/etc/policy.d/10-web.conf"
chmod 644 "$policy" "$dir/etc/policy.d/10-web.conf"

# ------------------------------------------------------------ --check-policy
run "$daemon" --check-policy "$policy"
check "--check-policy: a good policy and its policy.d, exit 0" eval 'status_is 0 && has "^$policy$" && has "^$dir/etc/policy.d/10-web.conf$" && has "policy OK: 2 rule\(s\) in 2 file\(s\)" && [ -z "$err" ]'
printf '%s\n' "allow user:nobody bind family=AF_INET" "allow user:nobody bnd port=81" >"$dir/etc/policy.d/20-bad.conf"
chmod 644 "$dir/etc/policy.d/20-bad.conf"
run "$daemon" --check-policy "$policy"
check "--check-policy: an error in policy.d as file:line, exit 1" eval 'status_is 1 && err_has "$dir/etc/policy.d/20-bad.conf:2: unknown method .bnd." && ! has "policy OK"'
rm "$dir/etc/policy.d/20-bad.conf"
chmod 666 "$policy"
run "$daemon" --check-policy "$policy"
check "--check-policy: a policy anyone may write is refused, exit 1" eval 'status_is 1 && err_has "writable by everyone"'
chmod 644 "$policy"
run "$daemon" --check-policy "$dir/none.conf"
check "--check-policy: a missing file, exit 1" eval 'status_is 1 && err_has "$dir/none.conf: No such file"'
run "$daemon" --check-policy
check "--check-policy needs a file (exit 2)" status_is 2
# The example installed with the documentation loads as it is, and
# covers every family the daemon brokers.
example=${top_srcdir:-.}/docs/examples/policy.conf
run "$daemon" --check-policy "$example"
check "--check-policy: the example policy of the documentation loads" eval 'status_is 0 && has "policy OK"'
out=$(grep -v '^#' "$example")
every_family() {
	local f
	for f in AF_INET AF_INET6 AF_PACKET AF_NETLINK AF_CAN AF_ALG AF_TIPC AF_VSOCK AF_RDS AF_BLUETOOTH; do
		has "family=([A-Z0-9_]+,)*$f([, ]|$)" || return 1
	done
}
check "the example policy has a rule for each family" every_family
dest=$dir/dest
out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" install-dist_exampleDATA DESTDIR="$dest" 2>&1)
status=$?
installed=$(find "$dest" -path '*/share/doc/sockbroker/examples/policy.conf')
check "the example policy is installed under the documentation" eval 'status_is 0 && [ -n "$installed" ] && cmp -s "$example" "$installed"'

# ------------------------------------------------------------ start
run timeout 10 "$daemon" --listen "$dir/sock" --policy "$dir/none.conf"
check "an explicit --policy that does not exist: refused at start, exit 1" eval 'status_is 1 && err_has "error: --policy $dir/none.conf: no such file" && [ ! -e "$dir/sock" ]'

# start_daemon LOG PREFIX...: start the daemon under PREFIX (setpriv)
# and wait until it serves.
start_daemon() {
	local log=$1
	shift
	rm -f "$dir/sock"
	"$@" "$daemon" --listen "$dir/sock" --policy "$policy" 2>"$log" &
	pids+=($!)
	wait_for 5 test -S "$dir/sock" && wait_for 5 grep -q "serving on" "$log"
}
stop_daemon() {
	kill "${pids[-1]}"
	wait "${pids[-1]}" 2>/dev/null
	unset 'pids[-1]'
}

start_daemon "$dir/nocaps.log" setpriv --inh-caps=-all --bounding-set=-all
out=$(cat "$dir/nocaps.log")
check "started without capabilities: a warning for each, at start" eval 'has "warning: started without any of the capabilities" && has "warning: started without CAP_NET_RAW: raw and packet sockets will fail" && has "warning: started without CAP_NET_BIND_SERVICE"'
stop_daemon
# As sockbrokerd.service runs it: CAP_SYS_ADMIN is left out on purpose.
start_daemon "$dir/unit.log" setpriv --inh-caps=-all --bounding-set=-all,+net_raw,+net_admin,+net_broadcast,+net_bind_service,+setuid,+setgid
out=$(cat "$dir/unit.log")
check "with the unit's capabilities: no warning, CAP_SYS_ADMIN noted" eval '! has "warning" && has "started without CAP_SYS_ADMIN: requests with netns will fail"'
stop_daemon

# ------------------------------------------------------------ Varlink
start_daemon "$dir/daemon.log"
cat >"$dir/varlink.py" <<'EOF'
# A Varlink client from the specification alone (varlink.org): JSON
# objects, each ended by a NUL byte, on an AF_UNIX stream socket.
import json, socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
buf = b""

def call(method, parameters=None):
    global buf
    msg = {"method": method}
    if parameters is not None:
        msg["parameters"] = parameters
    s.sendall(json.dumps(msg).encode() + b"\0")
    while b"\0" not in buf:
        chunk = s.recv(65536)
        assert chunk, "the service hung up"
        buf += chunk
    reply, buf = buf.split(b"\0", 1)
    return json.loads(reply)

info = call("org.varlink.service.GetInfo")["parameters"]
for key in ("vendor", "product", "version", "url"):
    assert isinstance(info[key], str), info
ifaces = info["interfaces"]
assert "org.varlink.service" in ifaces and "org.sockbroker" in ifaces, ifaces
assert len(set(ifaces)) == len(ifaces), "an interface listed twice: %s" % ifaces
for name in ifaces:
    r = call("org.varlink.service.GetInterfaceDescription", {"interface": name})
    assert "error" not in r, (name, r)
    text = r["parameters"]["description"]
    decl = [l.split() for l in text.splitlines() if l.startswith("interface ")]
    assert decl == [["interface", name]], (name, decl)
    print(name)
text = call("org.varlink.service.GetInterfaceDescription",
            {"interface": "org.varlink.service"})["parameters"]["description"]
for line in ("method GetInfo() -> (",
             "method GetInterfaceDescription(interface: string) -> (description: string)",
             "error InterfaceNotFound (interface: string)",
             "error MethodNotFound (method: string)",
             "error InvalidParameter (parameter: string)"):
    assert line in text.splitlines(), line
for field in ("vendor: string", "product: string", "version: string", "url: string",
              "interfaces: []string"):
    assert any(l.strip().rstrip(",") == field for l in text.splitlines()), field
r = call("org.varlink.service.GetInterfaceDescription", {"interface": "org.example.none"})
assert r["error"] == "org.varlink.service.InterfaceNotFound", r
assert r["parameters"]["interface"] == "org.example.none", r
r = call("org.varlink.service.NoSuchMethod")
assert r["error"] == "org.varlink.service.MethodNotFound", r
print("conformant")
EOF
run python3 "$dir/varlink.py" "$dir/sock"
check "Varlink: GetInfo lists each interface once; each describes itself, org.varlink.service too" eval 'status_is 0 && has "^org.varlink.service$" && has "^org.sockbroker$" && has "^org.sockbroker.admin$" && has "^conformant$"'
stop_daemon

echo "1..$n"
