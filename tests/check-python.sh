#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Python package (client/python/sockbroker): as make install and pip
# install it, then its unittest suites (tests/python/test_*.py) as nobody
# against the real daemon, which this script starts from the build tree,
# in a network namespace of its own. Each unittest case is one TAP
# result. Without root, the suites that need no daemon run and the rest
# skip, saying why.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# End-to-end tests run in a network namespace of their own, loopback up:
# their binds on port 80 meet no other suite's.
if [ "$(id -u)" -eq 0 ] && [ -z "${SB_PYTHON_NETNS:-}" ] && command -v unshare >/dev/null &&
	unshare -n true 2>/dev/null; then
	SB_PYTHON_NETNS=1 exec unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

# The interpreter configure chose, if nobody can run it (one under
# root's home cannot be), else the system's.
python=${PYTHON:-python3}
[ "$python" = : ] && skip_all "configure found no python3"
as_nobody() { "${nobody[@]}" "$@"; }
if [ "$(id -u)" -eq 0 ] && ! as_nobody "$python" -c '' 2>/dev/null; then
	python=$(command -v python3) || skip_all "no python3 that nobody can run"
fi
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
	skip_all "$python is older than 3.9"
echo "# $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"

dir=$(mktemp -d /tmp/sockbroker-python-XXXXXX) || exit 1
chmod 755 "$dir"
sock=$dir/sock
policy=$dir/policy.conf
stderr_file=$dir/err
daemon_pid=
netns=

cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	[ -n "$netns" ] && ip netns delete "$netns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

run() {
	out=$("$@" 2>"$stderr_file")
	status=$?
}

# ------------------------------------------------------------ install
# make install: the package's files into $(pythondir) of a DESTDIR,
# byte-compiled, with the configured socket path; importable by anyone.
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" \
	install-pkgpythonPYTHON install-nodist_pkgpythonPYTHON DESTDIR="$dir/dest"
pkg=$(find "$dir/dest" -name __init__.py -path '*/sockbroker/*' 2>/dev/null | head -n 1)
pythondir=${pkg%/sockbroker/__init__.py}
check "make install puts the package into \$(pythondir), byte-compiled" eval \
	'status_is 0 && [ -n "$pkg" ] && [ -f "$pythondir/sockbroker/_build.py" ] && ls "$pythondir"/sockbroker/__pycache__/_broker.*.pyc >/dev/null'
chmod -R a+rX "$dir/dest" 2>/dev/null
importer=("$python")
[ "$(id -u)" -eq 0 ] && importer=("${nobody[@]}" "$python")
run env -u PYTHONPATH PYTHONPATH="$pythondir" "${importer[@]}" -c \
	'import sockbroker; print(sockbroker.__file__); print(sockbroker.DEFAULT_SOCKET); print(sockbroker.__version__)'
check "the installed package imports, as nobody when run as root, with the configured socket path" eval \
	'status_is 0 && has "^$pythondir/sockbroker/__init__.py$" && has "^${SB_DEFAULT_SOCKET:-/run/sockbroker/sockbroker.sock}$" && has "^${PACKAGE_VERSION:-[0-9.]+}$"'

# pip: from a copy of client/python (pip builds in the tree it is given),
# offline, with the system's setuptools.
if "$python" -m pip --version >/dev/null 2>&1 && "$python" -c 'import setuptools, wheel' 2>/dev/null; then
	cp -r "$top_srcdir/client/python" "$dir/pip-src" && rm -rf "$dir/pip-src/sockbroker/_build.py" "$dir/pip-src/sockbroker/__pycache__"
	run "$python" -m pip install --quiet --no-build-isolation --no-index --disable-pip-version-check \
		--root-user-action=ignore --target "$dir/pip-target" "$dir/pip-src"
	run2() { out=$(PYTHONPATH="$dir/pip-target" "$python" -c 'import sockbroker, importlib.metadata as m; print(sockbroker.__file__, m.version("sockbroker"))' 2>>"$stderr_file"); }
	[ "$status" -eq 0 ] && run2
	check "pip install --no-build-isolation --no-index client/python" eval \
		'status_is 0 && has "^$dir/pip-target/sockbroker/__init__.py ${PACKAGE_VERSION:-[0-9.]+}$"'
else
	skip "pip install --no-build-isolation --no-index client/python" "pip or setuptools is not installed for $python"
fi

# pydoc reads well: the overview and every public function documented.
run env PYTHONPATH="$top_srcdir/client/python" "$python" -m pydoc sockbroker
check "pydoc sockbroker: the overview, Broker and every function" eval \
	'status_is 0 && has "Real kernel sockets from sockbrokerd" && has "class Broker" && has "create_server\(address" && has "setsockopt\(sock, level, optname, value\)" && has "bind\(sock, address\)" && has "info\(\)" && has "socket\(family="'

# ------------------------------------------------------------ the suites
suites="test_address test_wire test_messages test_broker test_examples"
# Copies nobody can read: the source tree may sit below a directory only
# root may enter (a checkout in a mode 0700 directory). test_messages
# reads the interface files (proto/*.varlink).
mkdir "$dir/src" "$dir/src/idl" && cp -r "$top_srcdir/client/python" "$dir/src/package" &&
	cp -r "$top_srcdir/tests/python" "$dir/src/suites" &&
	cp -r "$top_srcdir/docs/examples" "$dir/src/examples" &&
	cp "$top_srcdir"/proto/*.varlink "$dir/src/idl/" && chmod -R a+rX "$dir/src" ||
	{ echo "Bail out! cannot copy the package, its suites and the interface files"; exit 1; }
export PYTHONPATH=$dir/src/package
export SB_TEST_EXAMPLES=$dir/src/examples
export SB_TEST_IDL=$dir/src/idl
export SB_TEST_TMP=$dir
unset SOCKBROKER_SOCKET

# The suites' TAP, counted; a run that reported no case (the interpreter
# could not start them) is a failure, never an empty pass.
run_suites() {
	"$@" "$dir/src/suites/tap.py" --first $((n + 1)) $suites >"$dir/tap" 2>&1
	cat "$dir/tap"
	if ! grep -qE '^(not )?ok ' "$dir/tap"; then
		n=$((n + 1))
		echo "not ok $n - the unittest suites ran: $(tail -1 "$dir/tap")"
	fi
	n=$((n + $(grep -cE '^(not )?ok ' "$dir/tap")))
}

if [ "$(id -u)" -ne 0 ]; then
	export SB_TEST_SKIP="needs root to run sockbrokerd and to become nobody"
	run_suites "$python"
	echo "1..$n"
	exit 0
fi
need_tools setpriv

[ -n "${SB_PYTHON_NETNS:-}" ] || echo "# not in a network namespace of its own (unshare -n failed)"
cat >"$policy" <<'EOF'
# The Python suites' policy: no socket rule for AF_INET SOCK_STREAM, so
# servers on port 80 work by their bind rule alone.
allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP
allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff
allow user:nobody setsockopt option=TCP_CONGESTION value=reno
allow user:nobody bind family=AF_INET,AF_INET6 port=80,81,1000-1013
allow user:nobody socket family=AF_PACKET,AF_NETLINK,AF_VSOCK,AF_CAN,AF_ALG,AF_TIPC,AF_RDS,AF_BLUETOOTH
allow user:nobody bind family=AF_PACKET,AF_NETLINK,AF_VSOCK,AF_CAN,AF_ALG,AF_TIPC,AF_RDS,AF_BLUETOOTH
EOF
# A named network namespace for Socket's netns parameter.
if command -v ip >/dev/null && ip netns add "sbpy-$$" 2>/dev/null; then
	netns=sbpy-$$
	echo "allow user:nobody socket family=AF_INET type=SOCK_DGRAM netns=$netns" >>"$policy"
	export SB_TEST_NETNS=$netns
fi
chmod 644 "$policy"

# A short idle timeout: the suites see the broker hang up and reconnect.
"$top_builddir/sockbrokerd" --listen "$sock" --policy "$policy" --idle-timeout=3 \
	2>"$dir/daemon.log" &
daemon_pid=$!
if ! wait_for 5 "$top_builddir/sockbrokerctl" --socket="$sock" status >/dev/null 2>&1; then
	echo "Bail out! sockbrokerd did not start: $(tail -5 "$dir/daemon.log")"
	exit 1
fi
export SB_TEST_SOCKET=$sock SOCKBROKER_SOCKET=$sock
# nobody needs a directory of its own for the suites' socket files.
mkdir -m 1777 "$dir/tmp" && export SB_TEST_TMP=$dir/tmp

run_suites as_nobody "$python"
if grep -q '^not ok' "$dir/tap"; then
	sed 's/^/# daemon: /' "$dir/daemon.log" | tail -30
fi
echo "1..$n"
