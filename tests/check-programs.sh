#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unmodified programs from Debian under `sockbrokerctl exec`, as nobody,
# against the real daemon, in a network namespace of this suite's own:
# python3's socket module, tcpdump, ping without its file capability,
# nginx and python3 -m http.server on :80. Each is first shown to fail
# for nobody without the broker. Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
daemon=$top_builddir/sockbrokerd
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
python=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run sockbrokerd and to become nobody"
need_tools setpriv unshare ip
[ -x "$python" ] || skip_all "Debian's python3 is not installed"
# A network namespace of our own: :80 and the captures are ours alone.
private_netns "$@"
[ -n "${SB_SUITE_NETNS:-}" ] || skip_all "cannot make a network namespace of the suite's own"

dir=$(mktemp -d /tmp/sockbroker-programs-XXXXXX) || exit 1
chmod 755 "$dir"
sock=$dir/sock
stderr_file=$dir/err
daemon_pid=

stage_for_nobody "$dir" "$top_builddir/sockbrokerctl" \
	"$top_builddir/.libs/libsockbroker-preload.so" || exit 99
ctl=$dir/sockbrokerctl
export SOCKBROKER_PRELOAD=$dir/libsockbroker-preload.so

cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/policy.conf" <<'EOF'
allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_RAW,SOCK_DGRAM protocol=IPPROTO_ICMP,IPPROTO_ICMPV6
allow user:nobody socket family=AF_PACKET type=SOCK_RAW,SOCK_DGRAM
allow user:nobody bind family=AF_INET,AF_INET6 port=80
allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff
EOF
"$daemon" --listen "$sock" --policy "$dir/policy.conf" >"$dir/daemon.log" 2>&1 &
daemon_pid=$!
wait_for 5 test -S "$sock" || skip_all "sockbrokerd did not start"
export SOCKBROKER_SOCKET=$sock

run() {
	out=$("$@" 2>"$stderr_file")
	status=$?
	out+=$'\n'$(cat "$stderr_file")
}
plain() { run timeout 20 "${nobody[@]}" "$@"; }
brokered() { run timeout 20 "${nobody[@]}" "$ctl" exec -- "$@"; }

# ------------------------------------------------------------ python3's socket module
cat >"$dir/sockets.py" <<'EOF'
import errno, socket, struct, sys

what = sys.argv[1]
if what == "icmp":
    # A raw ICMP echo to 127.0.0.1, and its reply.
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(5)
    body = b"sockbroker"
    def csum(b):
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        s = (s & 0xffff) + (s >> 16)
        return ~(s + (s >> 16)) & 0xffff
    hdr = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1)
    hdr = struct.pack("!BBHHH", 8, 0, csum(hdr + body), 0x4242, 1)
    s.sendto(hdr + body, ("127.0.0.1", 0))
    while True:
        data = s.recv(2048)
        if data[20] == 0 and data[24:26] == b"\x42\x42":
            print("echo reply"); break
elif what == "packet":
    # AF_PACKET capture on lo: sees a UDP datagram sent to itself.
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    p.bind(("lo", 0))
    p.settimeout(5)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"sockbroker-capture", ("127.0.0.1", 9999))
    while b"sockbroker-capture" not in p.recv(65535):
        pass
    print("captured")
elif what == "bind80":
    for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.bind((host, 80))
        t.listen()
        print("bound", t.getsockname()[:2])
elif what == "mark":
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 0x100)
    assert t.getsockopt(socket.SOL_SOCKET, socket.SO_MARK) == 0x100
    try:
        t.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 7)
        sys.exit("SO_MARK 7 was granted")
    except PermissionError as e:
        assert e.errno == errno.EPERM
    print("mark 0x100 set, 7 refused with EPERM")
elif what == "denied":
    for args, err in (((socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP), errno.EPERM),):
        try:
            socket.socket(*args)
            sys.exit("granted: %r" % (args,))
        except OSError as e:
            assert e.errno == err, e
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", 81))
        sys.exit("bound :81")
    except OSError as e:
        assert e.errno == errno.EACCES, e
    print("raw TCP: EPERM, :81: EACCES")
EOF
for what in icmp packet bind80 mark; do
	plain "$python" "$dir/sockets.py" "$what"
	if status_is 0; then
		not_ok "python3 $what fails for nobody without the broker"
		continue
	fi
	brokered "$python" "$dir/sockets.py" "$what"
	check "python3 socket module: $what, under exec" status_is 0
done
brokered "$python" "$dir/sockets.py" denied
check "python3: what the policy refuses keeps the kernel's errno" status_is 0

# ------------------------------------------------------------ tcpdump
if command -v tcpdump >/dev/null; then
	plain tcpdump -i lo -c 1 -n icmp
	if status_is 0; then
		not_ok "tcpdump fails for nobody without the broker"
	else
		"${nobody[@]}" "$ctl" exec -- tcpdump -i lo -c 2 -n -l icmp >"$dir/tcpdump.out" 2>&1 &
		dump=$!
		# Ping until tcpdump has what it waits for.
		for _ in $(seq 50); do
			"$python" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.sendto(b"\x08\x00\xf7\xff\x00\x00\x00\x00", ("127.0.0.1", 0))'
			kill -0 "$dump" 2>/dev/null || break
			sleep 0.1
		done
		wait "$dump"
		status=$?
		out=$(cat "$dir/tcpdump.out")
		check "tcpdump captures ICMP on lo under exec" eval 'status_is 0 && has "ICMP echo request"'
	fi
else
	skip "tcpdump captures ICMP on lo under exec" "tcpdump is not installed"
fi

# ------------------------------------------------------------ ping
if command -v ping >/dev/null; then
	cp "$(command -v ping)" "$dir/ping" && chmod 755 "$dir/ping"
	plain "$dir/ping" -c 1 -W 2 127.0.0.1
	if status_is 0; then
		not_ok "ping without its capability fails for nobody without the broker"
	else
		brokered "$dir/ping" -c 1 -W 2 127.0.0.1
		check "ping without its file capability, under exec" eval 'status_is 0 && has "1 received"'
	fi
else
	skip "ping without its file capability, under exec" "iputils-ping is not installed"
fi

# ------------------------------------------------------------ servers on :80
# serve NAME CMD...: start CMD under exec in the background, fetch / from
# 127.0.0.1:80, stop it.
fetch() {
	"$python" -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:80/", timeout=2)' 2>/dev/null
}
serve() {
	local name=$1 pid
	shift
	"${nobody[@]}" "$ctl" exec -- "$@" >"$dir/server.out" 2>&1 &
	pid=$!
	if wait_for 10 fetch; then status=0; else status=1; fi
	out=$(cat "$dir/server.out")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check "$name serves on 127.0.0.1:80 under exec" status_is 0
}

cd "$dir" || exit 1
plain "$python" -m http.server --bind 127.0.0.1 80
if status_is 0 || ! has "Permission denied"; then
	not_ok "python3 -m http.server 80 fails for nobody without the broker"
else
	serve "python3 -m http.server" "$python" -m http.server --bind 127.0.0.1 80
fi

if command -v nginx >/dev/null; then
	mkdir -p "$dir/nginx/html"
	echo sockbroker >"$dir/nginx/html/index.html"
	chmod -R a+rX "$dir/nginx"
	nginx_conf "$dir/nginx" "$dir/nginx/html" "master_process off;"
	plain nginx -e stderr -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
	if status_is 0 || ! has "Permission denied"; then
		not_ok "nginx on :80 fails for nobody without the broker"
	else
		serve nginx nginx -e stderr -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
	fi
else
	skip "nginx serves on 127.0.0.1:80 under exec" "nginx is not installed"
fi

echo "1..$n"
