#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sockbrokerctl run as nobody, in a network namespace of this suite's own:
# what nobody may do itself is done by run, only the rest is asked of the
# broker (a bind rule alone gives :80, a packet socket bound to lo needs
# no bind rule); a socket of every family the kernel offers; options,
# backlog, nolisten and netns from the spec; and the recipes of
# sockbrokerctl(8) with the real programs: a Python server, nginx,
# lighttpd and systemd-socket-activate --inetd. Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
ctl=$top_builddir/sockbrokerctl
daemon=$top_builddir/sockbrokerd
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run sockbrokerd and to become nobody"
need_tools python3 setpriv unshare ip
# A network namespace of our own: :80 and the rest are ours alone.
if [ -z "${SB_RUN_NETNS:-}" ]; then
	SB_RUN_NETNS=1 exec unshare --net -- "$0" "$@"
	skip_all "cannot make a network namespace"
fi
ip link set lo up || skip_all "cannot bring up the namespace's loopback"
[ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" -gt 80 ] ||
	skip_all "net.ipv4.ip_unprivileged_port_start lets anyone bind :80"

dir=$(mktemp -d /tmp/sockbroker-run-XXXXXX) || exit 1
chmod 755 "$dir"
sock=$dir/sock
stderr_file=$dir/err
netns=sockbroker-run-$$
daemon_pid=

cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	ip netns delete "$netns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# A named namespace for netns=, with its loopback up.
ip netns add "$netns" && ip -n "$netns" link set lo up || skip_all "cannot make a named network namespace"

# The web-server example of sockbroker-policy(5): binds alone, no socket
# rule. Packet sockets: the broker makes them; a bind to an interface
# needs no privilege and no rule.
cat >"$dir/policy.conf" <<EOF
allow user:nobody bind family=AF_INET,AF_INET6 port=80,443
allow user:nobody socket family=AF_PACKET type=SOCK_RAW,SOCK_DGRAM
allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP
allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff
allow user:nobody socket family=AF_INET type=SOCK_DGRAM netns=$netns
allow user:nobody bind family=AF_INET port=80 netns=$netns
EOF
chmod 644 "$dir/policy.conf"
"$daemon" --listen "$sock" --policy "$dir/policy.conf" >"$dir/daemon.log" 2>&1 &
daemon_pid=$!
wait_for 5 test -S "$sock" || skip_all "sockbrokerd did not start"

run() {
	out=$("$@" 2>"$stderr_file")
	status=$?
	err=$(cat "$stderr_file")
}
err_has() { grep -qE -- "$1" <<<"$err"; }
ctl() { run "$ctl" --socket="$sock" "$@"; }
# run_nobody SPEC... -- CMD...: sockbrokerctl run as nobody.
run_nobody() {
	local args=()
	while [ "$1" != "--" ]; do
		args+=(--socket="$1")
		shift
	done
	run timeout 20 "${nobody[@]}" "$ctl" --socket="$sock" run "${args[@]}" "$@"
}

# What the program run started finds at descriptor 3: family, type, the
# address as Python writes it, whether it listens, and options asked for.
cat >"$dir/probe.py" <<'EOF'
import os, socket, sys
s = socket.socket(fileno=3)
fam = socket.AddressFamily(s.family).name
typ = socket.SocketKind(s.type & 0xf).name
listening = s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
out = [fam, typ, "listening" if listening else "not-listening"]
for opt in sys.argv[1:]:
    if opt == "name":
        out.append(repr(s.getsockname()))
    elif opt == "mark":
        out.append("mark=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_MARK))
    elif opt == "reuseaddr":
        out.append("reuseaddr=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
    elif opt == "netns":
        import struct  # SO_NETNS_COOKIE: the socket's namespace
        out.append("netns=%d" % struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])
    elif opt == "accept":
        # Serve one connection, closing first (TIME_WAIT is ours).
        c, _ = s.accept()
        c.sendall(b"served")
        c.close()
print(" ".join(out))
EOF
chmod 644 "$dir/probe.py"
probe() { printf '%s' "python3 $dir/probe.py"; }

# ------------------------------------------------------------ the privileged part only
ctl check nobody socket family=AF_INET type=SOCK_STREAM
check "the policy has no socket rule for TCP" eval 'status_is 1 && [ "$out" = "deny default" ]'
run_nobody "AF_INET:SOCK_STREAM@127.0.0.1:80" -- $(probe) name
check "run: a bind rule alone gives nobody a listening :80 (run makes the socket)" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_STREAM listening ('"'"'127.0.0.1'"'"', 80)" ]'
run_nobody "AF_INET6:SOCK_STREAM@[::1]:443" -- $(probe) name
check "run: the same for AF_INET6 :443" eval 'status_is 0 && has "^AF_INET6 SOCK_STREAM listening \('"'"'::1'"'"', 443, 0, 0\)$"'
ctl check nobody bind family=AF_PACKET
check "the policy has no bind rule for packet sockets" eval 'status_is 1 && [ "$out" = "deny default" ]'
run_nobody "AF_PACKET:SOCK_RAW:ETH_P_ALL@lo" -- $(probe) name
check "run: a packet socket bound to lo needs no bind rule (run binds it)" eval 'status_is 0 && has "^AF_PACKET SOCK_RAW not-listening \('"'"'lo'"'"', 3, "'
run_nobody "AF_INET:SOCK_STREAM@127.0.0.1:81" -- true
check "run: a bind the policy refuses is still refused" eval 'status_is 1 && err_has "policy denies bind AF_INET/SOCK_STREAM 127.0.0.1:81"'
run_nobody "AF_PACKET:SOCK_DGRAM,SO_MARK=1" -- true
check "run: an option the policy refuses is refused" eval 'status_is 1 && err_has "policy denies setsockopt SO_MARK=1"'

# ------------------------------------------------------------ options, backlog, nolisten, netns
run_nobody "AF_INET:SOCK_DGRAM,SO_MARK=256@127.0.0.1:5353" -- $(probe) mark
check "run: SO_MARK from the spec, set by the broker" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_DGRAM not-listening mark=256" ]'
# A server that closed a connection first leaves the port in TIME_WAIT.
# The client reads to the server's FIN before it closes: the server
# closes first, and the TIME_WAIT is on :80.
c() { python3 -c "import socket
c = socket.create_connection(('127.0.0.1', 80))
data = b''
while chunk := c.recv(64):
    data += chunk
assert data == b'served'" 2>/dev/null; }
run_nobody "AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80" -- $(probe) reuseaddr accept &
pid=$!
wait_for 5 c
wait "$pid"
time_wait=$(ss -Htan state time-wait '( sport = :80 )')
run_nobody "AF_INET:SOCK_STREAM@127.0.0.1:80" -- true
check "run: without SO_REUSEADDR, :80 in TIME_WAIT is in use" eval '[ -n "$time_wait" ] && status_is 1 && err_has "Address already in use"'
run_nobody "AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80" -- $(probe) reuseaddr
check "run: with SO_REUSEADDR from the spec it binds" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_STREAM listening reuseaddr=1" ]'
run_nobody "AF_INET:SOCK_STREAM,SO_REUSEADDR,nolisten@127.0.0.1:80" -- $(probe)
check "run: nolisten leaves a bound stream socket alone" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_STREAM not-listening" ]'
run_nobody "AF_INET:SOCK_STREAM,backlog=3" -- $(probe)
check "run: backlog= listens even unbound (the kernel picks a port)" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_STREAM listening" ]'
want=$(ip netns exec "$netns" python3 -c 'import socket, struct; print(struct.unpack("Q", socket.socket().getsockopt(socket.SOL_SOCKET, 71, 8))[0])')
run_nobody "AF_INET:SOCK_DGRAM,netns=$netns@127.0.0.1:80" -- $(probe) name netns
check "run: netns= has the broker make the socket in that namespace" eval 'status_is 0 && [ "$out" = "AF_INET SOCK_DGRAM not-listening ('"'"'127.0.0.1'"'"', 80) netns=$want" ]'

# ------------------------------------------------------------ every family the kernel offers
# family_offered AF_X TYPE [PROTO]: the kernel here creates such sockets.
family_offered() {
	python3 -c "import socket, sys
try:
    socket.socket(getattr(socket, sys.argv[1]), getattr(socket, sys.argv[2]), int(sys.argv[3]))
except OSError as e:
    sys.exit(1 if e.errno in (97, 93, 94) else 0)" "$@" 2>/dev/null
}
# family SPEC EXPECTED AF TYPE [PROTO]: run with SPEC, or skip when the
# kernel lacks the family.
family() {
	local spec=$1 want=$2 name="run: $1"
	shift 2
	if ! family_offered "$@"; then
		skip "$name" "this kernel has no $1 (the spec's parsing is tested by check-spec)"
		return
	fi
	run_nobody "$spec" -- $(probe)
	check "$name" eval 'status_is 0 && [ "$out" = "$want" ]'
}
# AF_UNIX needs no broker at all, in a directory nobody may write.
mkdir "$dir/unix" && chown nobody "$dir/unix"
family "AF_UNIX:SOCK_STREAM@$dir/unix/stream.sock" "AF_UNIX SOCK_STREAM listening" AF_UNIX SOCK_STREAM 0
family "AF_UNIX:SOCK_SEQPACKET@$dir/unix/seq.sock" "AF_UNIX SOCK_SEQPACKET listening" AF_UNIX SOCK_SEQPACKET 0
family "AF_UNIX:SOCK_DGRAM@@sockbroker-run" "AF_UNIX SOCK_DGRAM not-listening" AF_UNIX SOCK_DGRAM 0
family "AF_INET:SOCK_DGRAM@127.0.0.1:80" "AF_INET SOCK_DGRAM not-listening" AF_INET SOCK_DGRAM 0
family "AF_INET:SOCK_RAW:IPPROTO_ICMP" "AF_INET SOCK_RAW not-listening" AF_INET SOCK_RAW 1
family "AF_INET6:SOCK_DGRAM@[::1]:443" "AF_INET6 SOCK_DGRAM not-listening" AF_INET6 SOCK_DGRAM 0
family "AF_NETLINK:SOCK_RAW:NETLINK_ROUTE@0:1" "AF_NETLINK SOCK_RAW not-listening" AF_NETLINK SOCK_RAW 0
family "AF_PACKET:SOCK_DGRAM:ETH_P_IP@lo" "AF_PACKET SOCK_DGRAM not-listening" AF_PACKET SOCK_DGRAM 0
family "AF_VSOCK:SOCK_STREAM@4294967295:1234" "AF_VSOCK SOCK_STREAM listening" AF_VSOCK SOCK_STREAM 0
# AF_ALG accepts without listen(); listen() would fail.
family "AF_ALG:SOCK_SEQPACKET@hash:sha256" "AF_ALG SOCK_SEQPACKET not-listening" AF_ALG SOCK_SEQPACKET 0
family "AF_RDS:SOCK_SEQPACKET@127.0.0.1:4000" "AF_RDS SOCK_SEQPACKET not-listening" AF_RDS SOCK_SEQPACKET 0
family "AF_TIPC:SOCK_RDM@TIPC_ADDR_NAME:1000:1:0:TIPC_NODE_SCOPE" "AF_TIPC SOCK_RDM not-listening" AF_TIPC SOCK_RDM 0
family "AF_CAN:SOCK_RAW:CAN_RAW@" "AF_CAN SOCK_RAW not-listening" AF_CAN SOCK_RAW 1
family "AF_BLUETOOTH:SOCK_RAW:BTPROTO_HCI" "AF_BLUETOOTH SOCK_RAW not-listening" AF_BLUETOOTH SOCK_RAW 1

# ------------------------------------------------------------ recipes of sockbrokerctl(8)
# Servers close connections first: each leaves :80 in TIME_WAIT for the
# next, which SO_REUSEADDR in the spec lets bind.
get() { python3 -c "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode().strip())" "$1" 2>/dev/null; }
# serve NAME URL CMD...: CMD (run as nobody) answers URL with "sockbroker".
serve() {
	local name=$1 url=$2
	shift 2
	"$@" >"$dir/serve.log" 2>&1 &
	local pid=$!
	out=
	wait_for 10 eval 'out=$(get "$url") && [ "$out" = sockbroker ]'
	status=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$status" -eq 0 ] || out+=$'\n'$(cat "$dir/serve.log")
	check "$name" status_is 0
}
mkdir -p "$dir/www"
echo sockbroker >"$dir/www/index.html"
chmod -R a+rX "$dir/www"

serve "recipe: a Python HTTP server on socket.socket(fileno=3)" http://127.0.0.1/index.html \
	"${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80 -- \
	python3 -c 'import http.server, socket, functools
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory="'"$dir/www"'")
s = http.server.HTTPServer(None, h, bind_and_activate=False)
s.socket = socket.socket(fileno=3)
s.serve_forever()'

if command -v nginx >/dev/null; then
	# With its master process: nginx 1.22 crashes on inherited sockets
	# under master_process off.
	mkdir -p "$dir/nginx"
	nginx_conf "$dir/nginx" "$dir/www"
	serve "recipe: nginx takes the socket as inherited (NGINX=\"3;\")" http://127.0.0.1/index.html \
		env NGINX="3;" "${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80 -- \
		nginx -e stderr -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
else
	skip "recipe: nginx" "nginx is not installed"
fi

if command -v lighttpd >/dev/null; then
	cat >"$dir/lighttpd.conf" <<EOF
server.document-root = "$dir/www"
server.bind = "127.0.0.1"
server.port = 80
server.systemd-socket-activation = "enable"
index-file.names = ("index.html")
EOF
	chmod 644 "$dir/lighttpd.conf"
	serve "recipe: lighttpd with server.systemd-socket-activation" http://127.0.0.1/index.html \
		"${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80 -- \
		lighttpd -D -f "$dir/lighttpd.conf"
else
	skip "recipe: lighttpd" "lighttpd is not installed"
fi

if command -v systemd-socket-activate >/dev/null; then
	"${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_INET:SOCK_STREAM,SO_REUSEADDR@127.0.0.1:80 -- \
		systemd-socket-activate --inetd -a cat >"$dir/inetd.log" 2>&1 &
	pid=$!
	echo_once() { out=$(python3 -c "import socket; c = socket.create_connection(('127.0.0.1', 80), timeout=2); c.sendall(b'sockbroker\n'); c.shutdown(socket.SHUT_WR); print(c.recv(64).decode().strip())" 2>/dev/null) && [ "$out" = sockbroker ]; }
	wait_for 10 echo_once
	status=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$status" -eq 0 ] || out+=$'\n'$(cat "$dir/inetd.log")
	check "recipe: systemd-socket-activate --inetd runs cat per connection on the brokered socket" status_is 0
else
	skip "recipe: systemd-socket-activate --inetd" "systemd-socket-activate is not installed"
fi

echo "1..$n"
