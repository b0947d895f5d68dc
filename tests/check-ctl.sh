#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sockbrokerctl end to end: every command with and without --json against
# the real daemon on a private socket, as root, as nobody and as an admin
# who is not root; reload with a good and a broken policy; and run handing
# a brokered :80 socket to an unprivileged python3 by socket activation.
# Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
ctl=$top_builddir/sockbrokerctl
daemon=$top_builddir/sockbrokerd
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Loopback address of its own, so the :80 binds here never meet those of
# other suites running at the same time.
addr=127.0.0.80

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run sockbrokerd and to become nobody"
private_netns "$@"
need_tools python3 setpriv

dir=$(mktemp -d /tmp/sockbroker-ctl-XXXXXX) || exit 1
chmod 755 "$dir"
sock=$dir/sock
policy=$dir/policy.conf
stderr_file=$dir/err
daemon_pid=
holder_pid=

cleanup() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

# Run a command, keeping its exit status, stdout and stderr.
run() {
	out=$("$@" 2>"$stderr_file")
	status=$?
	err=$(cat "$stderr_file")
}

as_nobody() { "${nobody[@]}" "$@"; }

# The admin who is not root: the system account "daemon" (uid 1).
as_daemon() {
	setpriv --reuid=1 --regid=1 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}

ctl() { run "$ctl" --socket="$sock" "$@"; }
ctl_nobody() { run as_nobody "$ctl" --socket="$sock" "$@"; }

# json EXPR: evaluate Python assertions on the last stdout, parsed as d.
json() {
	python3 -c "import json, sys
d = json.load(sys.stdin)
$1" <<<"$out" 2>>"$stderr_file"
}

err_has() { grep -qE -- "$1" <<<"$err"; }

write_policy() {
	printf '%s\n' "$@" >"$policy.new" && chmod 644 "$policy.new" && mv "$policy.new" "$policy"
}

write_policy \
	"# sockbrokerctl tests" \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM,SOCK_DGRAM" \
	"allow user:nobody bind family=AF_INET port=80,81" \
	"allow user:daemon admin"

"$daemon" --listen "$sock" --policy "$policy" --verbose 2>"$dir/daemon.log" &
daemon_pid=$!
wait_for 5 "$ctl" --socket="$sock" status >/dev/null 2>&1

# ------------------------------------------------------------ usage
run "$ctl" --help
check "--help names every command" eval 'status_is 0 && has "^  status" && has "^  list" && has "^  check" && has "^  info" && has "^  reload" && has "^  run"'
run "$ctl"
check "no command is a usage error (exit 2)" eval 'status_is 2 && err_has "no command"'
run "$ctl" frobnicate
check "an unknown command is a usage error (exit 2)" eval 'status_is 2 && err_has "unknown command frobnicate"'
ctl status --frob
check "an unknown option is a usage error (exit 2)" eval 'status_is 2 && err_has "--frob"'
ctl status extra
check "status takes no argument (exit 2)" eval 'status_is 2 && err_has "unexpected argument extra"'
for cmd in status list check info reload run exec; do
	ctl $cmd --help
	check "$cmd --help: its usage, exit 0" eval 'status_is 0 && has "^Usage: sockbrokerctl $cmd" && [ -z "$err" ]'
	ctl help $cmd
	check "help $cmd: the same" eval 'status_is 0 && has "^Usage: sockbrokerctl $cmd" && [ -z "$err" ]'
done
run "$ctl" --socket
check "--socket without a path is a usage error (exit 2)" eval 'status_is 2 && err_has "needs an argument"'
run "$ctl" --json --socket="$sock" run --socket=AF_INET:SOCK_DGRAM -- true
check "--json does not apply to run (exit 2)" eval 'status_is 2 && err_has "does not apply"'
run "$ctl" --socket="$dir/none" status
check "no broker at the socket: exit 3, the path named" eval 'status_is 3 && err_has "cannot connect to the broker at $dir/none"'
run env SOCKBROKER_SOCKET="$sock" "$ctl" status
check "SOCKBROKER_SOCKET is honoured" eval 'status_is 0 && has "^Version:"'

# ------------------------------------------------------------ status
ctl status
check "status: aligned fields and the policy file" eval 'status_is 0 && has "^Version: +[0-9]" && has "^Uptime: +[0-9]" && has "^Connections: +[0-9]+$" && has "^Policy rules: +3$" && has "^Policy files: +$policy$"'
ctl status --json
check "status --json: every documented field" json '
assert set(d) == {"version", "uptime_usec", "connections", "grants", "denials", "errors", "rules", "policy_files"}, d
assert isinstance(d["version"], str) and d["version"]
assert d["uptime_usec"] > 0 and d["connections"] >= 1 and d["rules"] == 3
assert d["policy_files"] == ["'"$policy"'"]'
ctl --json status
check "--json before the command works too" json 'assert d["rules"] == 3'
ctl_nobody status
check "status as nobody: refused by the policy (exit 1)" eval 'status_is 1 && err_has "policy denies admin status for uid 65534"'
run as_daemon "$ctl" --socket="$sock" status
check "status as an admin by policy (not root)" eval 'status_is 0 && has "^Policy rules: +3$"'

# ------------------------------------------------------------ check
ctl check nobody bind family=AF_INET port=80
check "check allow: 'allow FILE:LINE', exit 0" eval 'status_is 0 && [ "$out" = "allow $policy:3" ]'
ctl check nobody socket family=AF_PACKET type=SOCK_RAW
check "check deny: 'deny default', exit 1" eval 'status_is 1 && [ "$out" = "deny default" ]'
ctl check --json nobody socket family=AF_INET type=SOCK_STREAM
check "check --json: decision, rule and the request" json '
assert d == {"user": "nobody", "method": "socket", "keys": {"family": "AF_INET", "type": "SOCK_STREAM"},
             "decision": "allow", "rule": "'"$policy"':2"}, d'
ctl check --json 65534 admin
check "check --json of a deny by uid number" json 'assert d["decision"] == "deny" and d["rule"] == "default" and d["keys"] == {}'
ctl_nobody check nobody bind family=AF_INET port=81
check "check for oneself needs no admin rule" eval 'status_is 0 && [ "$out" = "allow $policy:3" ]'
ctl_nobody check root socket family=AF_INET type=SOCK_RAW
check "check for another user is an admin call (exit 1)" eval 'status_is 1 && err_has "policy denies" && [ -z "$out" ]'
ctl check nobody socket famly=AF_INET
check "check with an unknown key: the broker's reason, a usage error (exit 2)" eval 'status_is 2 && err_has "famly" && [ -z "$out" ]'
ctl check nobody sockt family=AF_INET
check "check with an unknown method: a usage error (exit 2)" eval 'status_is 2 && err_has "method"'
ctl check nobody socket family=AF_INET protocol=ETH_P_ALL
check "check: messages name the family, not its number" eval 'status_is 2 && err_has "unknown protocol .ETH_P_ALL. for AF_INET" && ! err_has "family 2"'
ctl check nobody bind port=80
check "check without family=: deny, with a hint" eval 'status_is 1 && [ "$out" = "deny default" ] && err_has "hint: no family= given"'
ctl check nobody bind family=AF_INET port=82
check "check with family=: no hint" eval 'status_is 1 && [ "$out" = "deny default" ] && ! err_has "hint"'
ctl check nobody socket family
check "check with a word that is not KEY=VALUE (exit 2)" eval 'status_is 2 && err_has "expected KEY=VALUE"'
ctl check nobody socket family=AF_INET family=AF_INET6
check "check with a key given twice (exit 2)" eval 'status_is 2 && err_has "given twice"'
ctl check nobody
check "check without a method (exit 2)" eval 'status_is 2'
ctl check nosuchuser-xyz socket family=AF_INET
check "check for an unknown user names it, a usage error (exit 2)" eval 'status_is 2 && err_has "nosuchuser-xyz"'

# ------------------------------------------------------------ info
ctl_nobody info
check "info as nobody: identity, families and a dry-run table" eval 'status_is 0 && has "^User: +65534 \(nobody\)$" && has "^Kernel families: .*AF_INET" && has "^Features: .*vsock-addresses" && { has "^Features: .*bluetooth-addresses" || has "^Bluetooth addresses: +off: .*libbluetooth-dev"; } && has "^METHOD +REQUEST +DECISION +RULE$" && has "^bind +family=AF_INET port=80 +allow +$policy:3$" && has "^admin +- +deny +default$"'
ctl_nobody info --json
check "info --json: caller, families, limits and dry runs" json '
assert set(d) == {"version", "caller", "families", "features", "limits", "dry_runs"}, d
assert "vsock-addresses" in d["features"], d["features"]
assert d["caller"]["uid"] == 65534 and d["caller"]["gid"] == 65534 and d["caller"]["pid"] > 0
assert d["caller"]["groups"] == [] or d["caller"]["groups"] == [65534]
assert "AF_INET" in d["families"]
assert set(d["limits"]) == {"max_message", "max_fds", "max_connections", "max_connections_per_uid",
                            "max_requests_in_flight", "idle_timeout_sec",
                            "max_sockets_unread_per_uid", "max_sockets_unread"}
runs = {(r["method"], tuple(sorted(r["keys"].items()))): (r["decision"], r["rule"]) for r in d["dry_runs"]}
assert runs[("bind", (("family", "AF_INET"), ("port", "80")))] == ("allow", "'"$policy"':3"), runs
assert runs[("admin", ())] == ("deny", "default"), runs
assert runs[("socket", (("family", "AF_INET"), ("protocol", "IPPROTO_ICMP"), ("type", "SOCK_RAW")))][0] == "deny"'
ctl info
check "info as root: root administers, whatever the rules say" eval 'status_is 0 && has "^User: +0 \(root\)$" && has "^admin +- +allow +uid 0$"'

# ------------------------------------------------------------ list
ctl list
check "list with nothing handed out" eval 'status_is 0 && [ "$out" = "No brokered sockets are open." ]'
ctl list --json
check "list --json with nothing handed out" json 'assert d == {"grants": []}, d'

# nobody holds a brokered :80 socket while we look.
hold_socket "$ctl" "$sock" "AF_INET:SOCK_STREAM@$addr:80"
ctl list
# run made the socket and had the broker bind it; sleep holds it now.
check "list shows the live grant, held by the program run started, as an aligned table" eval 'status_is 0 && has "^TIME +PID +UID +COMMAND +FAMILY +TYPE +PROTOCOL +ADDRESS$" && has "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +$holder_pid +65534 +sleep +AF_INET +SOCK_STREAM +IPPROTO_TCP +$addr:80$"'
ctl list --json
check "list --json: the grant's documented fields" json '
assert len(d["grants"]) == 1, d
g = d["grants"][0]
assert set(g) == {"time_usec", "pid", "uid", "comm", "family", "type", "protocol", "inode", "address"}, g
assert g["pid"] == '"$holder_pid"' and g["uid"] == 65534 and g["comm"] == "sleep"
assert g["family"] == "AF_INET" and g["type"] == "SOCK_STREAM" and g["inode"] > 0
assert g["address"] == {"host": "'"$addr"'", "port": 80}, g
import time; assert abs(g["time_usec"] / 1e6 - time.time()) < 120'
ctl_nobody list --json
check "list as nobody, who is not admin: its own grants" json 'assert [g["uid"] for g in d["grants"]] == [65534], d'
release_socket
ctl list --json
check "list: a closed socket drops out" json 'assert d == {"grants": []}, d'

# A holder whose command name holds an escape sequence (the name of the
# link it was started through) cannot drive the admin's terminal.
ln -s "$(readlink -f "$(command -v sleep)")" "$dir/$(printf 'x\033[31my')"
hold_socket "$ctl" "$sock" "AF_INET:SOCK_DGRAM@$addr:81" "$dir/$(printf 'x\033[31my')"
ctl list
# The daemon already escapes task names (\xNN); the table escapes the
# backslash of that once more, so no byte reaches the terminal raw.
check "list escapes control characters in command names" eval 'status_is 0 && has " 65534 +x[\\][\\]x1b[[]31my +AF_INET +SOCK_DGRAM " && ! grep -q "$(printf "\033")" <<<"$out"'
ctl list --json
check "list --json gives the name as the daemon escaped it" json 'assert d["grants"][0]["comm"] == "x\\x1b[31my", d'
release_socket
# Listings of clients that are not admin look at /proc once a second.
sleep 1
ctl_nobody list
check "list as nobody: its own grants, none now (not a denial)" eval 'status_is 0 && [ "$out" = "No brokered sockets are open." ]'

# ------------------------------------------------------------ reload
write_policy \
	"# sockbrokerctl tests, second version" \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM,SOCK_DGRAM" \
	"allow user:nobody bind family=AF_INET port=80,81" \
	"allow user:daemon admin" \
	"allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP"
ctl reload
check "reload of a good policy: rules and files" eval 'status_is 0 && has "^Policy reloaded: +4 rule\(s\)$" && has "^Policy files: +$policy$"'
ctl check nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP
check "the reloaded policy is in force" eval 'status_is 0 && [ "$out" = "allow $policy:5" ]'
ctl reload --json
check "reload --json" json 'assert d == {"rules": 4, "policy_files": ["'"$policy"'"]}, d'

write_policy \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM" \
	"allow user:nobody socket famliy=AF_INET"
ctl reload
check "reload of a broken policy: refused with file:line (exit 1)" eval 'status_is 1 && err_has "$policy:2" && err_has "running policy stays" && [ -z "$out" ]'
out=$(cat "$dir/daemon.log")
check "the daemon logs the refused reload, who asked and why" eval 'has "error: policy reload by uid=0 pid=[0-9]+ failed, keeping the running policy: $policy:2: "'
ctl check nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP
check "after a refused reload the running policy stays" eval 'status_is 0 && [ "$out" = "allow $policy:5" ]'
ctl status --json
check "status still reports the running policy" json 'assert d["rules"] == 4, d'
ctl reload --json
check "reload --json of a broken policy prints nothing on stdout" eval 'status_is 1 && [ -z "$out" ] && err_has "$policy:2"'
ctl_nobody reload
check "reload as nobody: refused (exit 1)" eval 'status_is 1 && err_has "policy denies admin reload"'

write_policy \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM,SOCK_DGRAM" \
	"allow user:nobody bind family=AF_INET port=80,81" \
	"allow user:daemon admin"
ctl reload
check "reload back to the first policy" eval 'status_is 0 && has "^Policy reloaded: +3 rule\(s\)$"'

# ------------------------------------------------------------ run
# The program that gets the sockets checks the socket-activation protocol
# itself, as sd_listen_fds(3) would, and accepts a connection on fd 3.
cat >"$dir/activated.py" <<'EOF'
import os, socket, sys
want_names = sys.argv[1].split(":")
n = int(os.environ["LISTEN_FDS"])
assert n == len(want_names), (n, want_names)
assert int(os.environ["LISTEN_PID"]) == os.getpid(), os.environ["LISTEN_PID"]
assert os.environ["LISTEN_FDNAMES"].split(":") == want_names, os.environ["LISTEN_FDNAMES"]
assert os.getuid() == 65534 and os.geteuid() == 65534
for fd in range(3, 3 + n):
    assert os.get_inheritable(fd), "fd %d is close-on-exec" % fd
# Nothing else leaked: every other descriptor is not a socket.
for fd in map(int, os.listdir("/proc/self/fd")):
    if fd >= 3 + n:
        link = os.readlink("/proc/self/fd/%d" % fd) if os.path.exists("/proc/self/fd/%d" % fd) else ""
        assert not link.startswith("socket:"), "leaked socket at fd %d" % fd
s = socket.socket(fileno=3)
assert s.family == socket.AF_INET and s.type == socket.SOCK_STREAM, (s.family, s.type)
assert s.getsockname() == (sys.argv[2], 80), s.getsockname()
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1, "not listening"
c = socket.create_connection((sys.argv[2], 80), timeout=5)
a, _ = s.accept()
c.sendall(b"brokered")
assert a.recv(8) == b"brokered"
for fd in range(4, 3 + n):
    t = socket.socket(fileno=fd)
    assert t.family == socket.AF_INET and t.type == socket.SOCK_DGRAM, (t.family, t.type)
    assert t.getsockname() == (sys.argv[2], 81), t.getsockname()
print("activated", n)
EOF
chmod 644 "$dir/activated.py"

if [ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" -le 80 ]; then
	skip "nobody cannot bind :80 by itself" "net.ipv4.ip_unprivileged_port_start allows it"
else
	run as_nobody python3 -c "import socket; socket.socket().bind(('$addr', 80))"
	check "nobody cannot bind :80 by itself" eval '! status_is 0 && err_has "PermissionError"'
fi
ctl_nobody run --socket="AF_INET:SOCK_STREAM@$addr:80" --name=web -- python3 "$dir/activated.py" web "$addr"
check "run: unprivileged python3 gets a listening :80 socket at fd 3 with LISTEN_FDS" eval 'status_is 0 && [ "$out" = "activated 1" ]'
ctl_nobody run -s "AF_INET:SOCK_STREAM@$addr:80" -s "AF_INET:SOCK_DGRAM@$addr:81" python3 "$dir/activated.py" AF_INET:AF_INET "$addr"
check "run: two sockets at fd 3 and 4, default names, no --" eval 'status_is 0 && [ "$out" = "activated 2" ]'
ctl_nobody run --socket="AF_INET:SOCK_STREAM@$addr:80" --socket="AF_INET:SOCK_DGRAM@$addr:81" --name=http --name=dns -- python3 "$dir/activated.py" http:dns "$addr"
check "run: --name sets LISTEN_FDNAMES in order" eval 'status_is 0 && [ "$out" = "activated 2" ]'
ctl_nobody run --socket="AF_PACKET:SOCK_RAW:ETH_P_ALL@lo" -- touch "$dir/must-not-exist"
check "run: a socket the policy refuses: exit 1, the command is not run" eval 'status_is 1 && err_has "policy denies" && [ ! -e "$dir/must-not-exist" ]'
ctl_nobody run --socket="AF_INET:SOCK_STREAM@$addr:82" -- touch "$dir/must-not-exist"
check "run: a bind the policy refuses: exit 1" eval 'status_is 1 && err_has "policy denies bind AF_INET/SOCK_STREAM $addr:82" && [ ! -e "$dir/must-not-exist" ]'
ctl run --socket="AF_INET:SOCK_BOGUS" -- true
check "run: a malformed spec is a usage error (exit 2)" eval 'status_is 2 && err_has "SOCK_BOGUS"'
ctl run -- true
check "run: without --socket (exit 2)" eval 'status_is 2 && err_has "at least one --socket"'
ctl run --socket="AF_INET:SOCK_DGRAM"
check "run: without a command (exit 2)" eval 'status_is 2 && err_has "no command"'
ctl run --socket="AF_INET:SOCK_DGRAM" --name=a --name=b -- true
check "run: more names than sockets (exit 2)" eval 'status_is 2 && err_has "2 names for 1 sockets"'
ctl run --socket="AF_INET:SOCK_DGRAM" --name="a:b" -- true
check "run: a name with ':' (exit 2)" eval 'status_is 2 && err_has "--name a:b"'
ctl_nobody run --socket="AF_INET:SOCK_DGRAM" -- "$dir/no-such-program"
check "run: a command that does not exist exits 127" eval 'status_is 127 && err_has "cannot execute"'
# A directory of $PATH that the user cannot search makes execvp() say
# EACCES; the command is still not found.
mkdir -m 700 "$dir/private"
run env PATH="$dir/private:/usr/bin:/bin" "${nobody[@]}" "$ctl" --socket="$sock" run --socket="AF_INET:SOCK_DGRAM" -- no-such-program-xyz
check "run: not found past a PATH entry nobody cannot enter: 127" eval 'status_is 127 && err_has "No such file"'
stage_for_nobody "$dir" "$top_builddir/.libs/libsockbroker-preload.so"
run env PATH="$dir/private:/usr/bin:/bin" SOCKBROKER_PRELOAD="$dir/libsockbroker-preload.so" "${nobody[@]}" "$ctl" --socket="$sock" exec -- no-such-program-xyz
check "exec: the same: 127" eval 'status_is 127 && err_has "No such file"'
cp "$(type -P true)" "$dir/not-executable" && chmod 644 "$dir/not-executable"
run env PATH="$dir:/usr/bin:/bin" "${nobody[@]}" "$ctl" --socket="$sock" run --socket="AF_INET:SOCK_DGRAM" -- not-executable
check "run: found but not executable: 126" eval 'status_is 126 && err_has "Permission denied"'
ctl_nobody run --socket="AF_INET:SOCK_DGRAM" -- sh -c 'echo "$LISTEN_FDS $LISTEN_FDNAMES"; [ "$LISTEN_PID" = "$$" ]'
check "run: the command runs in the same process (LISTEN_PID)" eval 'status_is 0 && [ "$out" = "1 AF_INET" ]'

ctl status --json
check "the broker counted the grants and denials" json 'assert d["grants"] >= 7 and d["denials"] >= 2, d'

kill "$daemon_pid"
wait "$daemon_pid"
status=$?
daemon_pid=
out=$(tail -5 "$dir/daemon.log")
check "the daemon exits cleanly" status_is 0
echo "1..$n"
