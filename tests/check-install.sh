#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# libsockbroker as a user gets it: install it into a DESTDIR, check what
# the installed library exports, build a program against it with nothing
# but `pkg-config --cflags --libs sockbroker`, and run that program as
# nobody against the daemon of the build tree. TAP output.
set -u

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
CC=${CC:-cc}

# As root, in a network namespace of its own (its bind of port 1013 meets
# nothing on the machine), as tests/lib.sh's private_netns does.
if [ "$(id -u)" -eq 0 ] && [ -z "${SB_SUITE_NETNS:-}" ] && [ "${SB_VM:-}" != 1 ] &&
	unshare --net true 2>/dev/null; then
	SB_SUITE_NETNS=1 exec unshare --net -- "$0" "$@"
fi
[ -n "${SB_SUITE_NETNS:-}" ] && ip link set lo up 2>/dev/null
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
check() {
	desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/# /' "$tmp/out"
	fi
}

tmp=$(mktemp -d /tmp/sockbroker-install-XXXXXX) || exit 99
daemon_pid=
cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
# Readable for nobody, who runs the program and talks to the daemon.
chmod 755 "$tmp"
dest=$tmp/dest

echo "1..11"

# 1. Install only the library's parts (header, library, pkg-config file),
# from a sub-make that must not join the jobserver of a parallel check.
check "make install into DESTDIR" \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" \
	install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA DESTDIR="$dest"

pc=$(find "$dest" -name sockbroker.pc 2>/dev/null | head -n 1)
header=$(find "$dest" -name sockbroker.h 2>/dev/null | head -n 1)
lib=$(find "$dest" -name 'libsockbroker.so.*.*.*' 2>/dev/null | head -n 1)
libdir=${lib%/*}

# 2. Everything in its place: the .pc in $(libdir)/pkgconfig.
if [ -n "$pc" ] && [ -n "$header" ] && [ -n "$lib" ] && [ "${pc%/pkgconfig/sockbroker.pc}" = "$libdir" ] &&
	[ -L "$libdir/libsockbroker.so" ] && [ -L "$libdir/libsockbroker.so.0" ]; then
	ok "installed header, library, symlinks and pkg-config file"
else
	not_ok "installed header, library, symlinks and pkg-config file"
	find "$dest" | sed 's/^/# /'
fi

# 3. The library exports exactly the functions of <sockbroker.h>, all in
# the version node, and nothing of proto/ or json-c.
exported=$(nm -D --defined-only "$lib" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort)
declared=$(sed -n 's/^[a-z].*[ *]\(sockbroker_[a-z_]*\)(.*/\1/p' "$header" | sort -u)
unversioned=$(echo "$exported" | grep -v '@@LIBSOCKBROKER_0$')
others=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | grep -v -e '^sockbroker_' -e '^LIBSOCKBROKER_0$')
if [ -n "$exported" ] && [ -z "$unversioned" ] && [ -z "$others" ] &&
	[ "$(echo "$exported" | sed 's/@@.*//')" = "$declared" ]; then
	ok "exports are the header's functions, in LIBSOCKBROKER_0"
else
	not_ok "exports are the header's functions, in LIBSOCKBROKER_0"
	nm -D --defined-only "$lib" | sed 's/^/# exported: /'
	echo "$declared" | sed 's/^/# declared: /'
fi

# 4. The library never prints, logs or exits: it imports nothing that
# could.
talkers=$(nm -D --undefined-only "$lib" 2>/dev/null | awk '{ print $2 }' | sed 's/@.*//' |
	grep -x -e '.*printf' -e 'puts' -e 'fputs' -e 'fputc' -e 'putchar' -e 'perror' -e 'fwrite' \
		-e 'write' -e 'writev' -e 'v*syslog' -e 'sd_journal_.*' -e 'exit' -e '_exit' -e 'abort' |
	grep -v -x -e 'snprintf' -e '__snprintf_chk' -e 'vsnprintf' -e '__vsnprintf_chk' \
		-e 'sprintf' -e '__sprintf_chk')
if [ -n "$lib" ] && [ -z "$talkers" ]; then
	ok "the library imports no output or exit functions"
else
	not_ok "the library imports no output or exit functions"
	echo "$talkers" | sed 's/^/# imports: /'
fi

export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
unset PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs sockbroker 2>"$tmp/pkgconfig.err")
# 5. pkg-config knows it, and points into the DESTDIR.
case "$flags" in
*"-I$dest"*"-L$dest"*"-lsockbroker"*) ok "pkg-config --cflags --libs sockbroker: $flags" ;;
*)
	not_ok "pkg-config --cflags --libs sockbroker"
	sed 's/^/# /' "$tmp/pkgconfig.err"
	echo "# flags: $flags"
	;;
esac

# 6. The header stands alone: strict C99 and C++, only libc behind it.
printf '#include <sockbroker.h>\nint main(void) { return sockbroker_socket(0, 0, 0) > 0; }\n' >"$tmp/header.c"
check "<sockbroker.h> compiles alone as strict C99" \
	$CC -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags sockbroker) "$tmp/header.c"
if command -v c++ >/dev/null 2>&1; then
	cp "$tmp/header.c" "$tmp/header.cc"
	check "<sockbroker.h> compiles as C++" \
		c++ -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags sockbroker) "$tmp/header.cc"
else
	skip "<sockbroker.h> compiles as C++" "no C++ compiler"
fi

# 7. A program written against <sockbroker.h> only: proves first that it
# cannot get a raw socket itself, then gets one from the broker, uses it
# (an ICMP echo to 127.0.0.1), configures it (SO_MARK) and binds a UDP
# socket to a privileged port.
cat >"$tmp/prog.c" <<'EOF'
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sockbroker.h>

int main(void)
{
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct icmphdr echo = { .type = ICMP_ECHO, .checksum = htons(0xf7ff) };
	struct pollfd p = { .events = POLLIN };
	struct sockbroker_info info;
	unsigned char buf[256];
	int fd, udp, mark = 0x105, got = -1;
	socklen_t len = sizeof(got);

	if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) >= 0 || errno != EPERM) {
		printf("a raw socket without the broker?\n");
		return 1;
	}
	if (sockbroker_info(NULL, &info) < 0) {
		printf("info: %s\n", strerror(errno));
		return 1;
	}
	fd = sockbroker_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0 || sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
		printf("raw socket: %s (%s)\n", strerror(errno), sockbroker_last_message());
		return 1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_MARK, &got, &len) < 0 || got != mark) {
		printf("SO_MARK is %d\n", got);
		return 1;
	}
	if (sendto(fd, &echo, sizeof(echo), 0, (struct sockaddr *)&lo, sizeof(lo)) < 0) {
		perror("sendto");
		return 1;
	}
	p.fd = fd;
	for (;;) {
		ssize_t n;

		if (poll(&p, 1, 2000) != 1) {
			printf("no echo reply\n");
			return 1;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= 28 && buf[(buf[0] & 0xf) * 4] == ICMP_ECHOREPLY)
			break;
	}
	lo.sin_port = htons(1013);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (udp < 0 || sockbroker_bind(udp, (struct sockaddr *)&lo, sizeof(lo)) < 0) {
		printf("bind: %s (%s)\n", strerror(errno), sockbroker_last_message());
		return 1;
	}
	printf("uid %u: echo reply, mark 0x%x, port 1013, broker %s\n", (unsigned)info.uid, got,
	       info.version);
	return 0;
}
EOF
check "build a program with pkg-config --cflags --libs sockbroker" \
	$CC -Wall -Werror -o "$tmp/prog" "$tmp/prog.c" $flags

# 9-11. Run it as nobody against the daemon of the build tree.
if [ "$(id -u)" != 0 ]; then
	for t in "fails for nobody without a broker" "runs as nobody against sockbrokerd" "broker denies what the policy does not allow"; do
		skip "$t" "needs root to run sockbrokerd and to become nobody"
	done
	exit $failed
fi
nobody() {
	LD_LIBRARY_PATH="$libdir" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}

SOCKBROKER_SOCKET=/nonexistent/sockbroker.sock nobody "$tmp/prog" >"$tmp/out" 2>&1
if grep -q "^info: No such file or directory" "$tmp/out"; then
	ok "fails for nobody without a broker"
else
	not_ok "fails for nobody without a broker"
	sed 's/^/# /' "$tmp/out"
fi

mkdir -p "$tmp/run"
chmod 755 "$tmp/run"
cat >"$tmp/run/policy.conf" <<'EOF'
allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP
allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff
allow user:nobody bind family=AF_INET port=1013
EOF
chmod 644 "$tmp/run/policy.conf"
"$top_builddir/sockbrokerd" --listen "$tmp/run/sock" --policy "$tmp/run/policy.conf" \
	>"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
# Until it answers: the socket file exists a moment before the daemon
# listens on it and lets others connect.
i=0
while ! "$top_builddir/sockbrokerctl" --socket="$tmp/run/sock" status >/dev/null 2>&1 &&
	[ $i -lt 1000 ] && kill -0 "$daemon_pid" 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done

SOCKBROKER_SOCKET="$tmp/run/sock" nobody "$tmp/prog" >"$tmp/out" 2>&1
if grep -q "^uid 65534: echo reply, mark 0x105, port 1013, broker " "$tmp/out"; then
	ok "runs as nobody against sockbrokerd: $(cat "$tmp/out")"
else
	not_ok "runs as nobody against sockbrokerd"
	sed 's/^/# /' "$tmp/out" "$tmp/daemon.log"
fi

# The same program under a policy without the bind rule.
grep -v bind "$tmp/run/policy.conf" >"$tmp/run/policy.new" && mv "$tmp/run/policy.new" "$tmp/run/policy.conf"
chmod 644 "$tmp/run/policy.conf"
kill -HUP "$daemon_pid"
i=0
while [ $i -lt 20 ]; do
	sleep 0.1
	SOCKBROKER_SOCKET="$tmp/run/sock" nobody "$tmp/prog" >"$tmp/out" 2>&1
	grep -q "^bind: Permission denied (" "$tmp/out" && break
	i=$((i + 1))
done
if grep -q "^bind: Permission denied (" "$tmp/out"; then
	ok "broker denies what the policy does not allow"
else
	not_ok "broker denies what the policy does not allow"
	sed 's/^/# /' "$tmp/out"
fi
exit $failed
