#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Inside the test VM (tests/vm/check-vm-preload.sh): can-utils' cansend and
# candump and a python3 AF_CAN program, unmodified, as nobody under a
# seccomp filter that refuses AF_CAN sockets with EAFNOSUPPORT, get their
# sockets through `sockbrokerctl exec`. Each is first shown to fail in the
# same sandbox without it. Then the CAN example written for the Python
# package (docs/examples/can.py), in the same sandbox without exec, gets
# its socket from sockbroker.socket(). Prints TAP.
set -u
here=$(cd -- "$(dirname -- "$0")" && pwd -P)
. "$here/tap.sh"

top_builddir=${top_builddir:-.}
AF_CAN=29 EAFNOSUPPORT=97
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)

if ! command -v cansend >/dev/null || ! command -v candump >/dev/null; then
	echo "1..0 # SKIP can-utils is not installed"
	exit 0
fi
if ! ip link show vcan0 >/dev/null 2>&1; then
	echo "1..0 # SKIP no vcan0: not in the test VM?"
	exit 0
fi
dir=$(mktemp -d /tmp/preload-can-XXXXXX) || exit 99
chmod 755 "$dir"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
# Copies nobody can run: the build tree may be below a directory only
# root may enter.
for f in sockbrokerctl deny-family .libs/libsockbroker-preload.so; do
	cp "$top_builddir/$f" "$dir/" && chmod a+rx "$dir/${f##*/}" || exit 99
done
ctl=$dir/sockbrokerctl
deny=$dir/deny-family
export SOCKBROKER_PRELOAD=$dir/libsockbroker-preload.so
sandboxed=("${nobody[@]}" "$deny" $AF_CAN $EAFNOSUPPORT)
printf "allow user:nobody socket family=AF_CAN\nallow user:nobody bind family=AF_CAN\n" >"$dir/policy.conf"
"$top_builddir/sockbrokerd" --listen "$dir/sock" --policy "$dir/policy.conf" \
	>"$dir/daemon.log" 2>&1 &
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.1; done
export SOCKBROKER_SOCKET=$dir/sock

tap_plan 6
"${sandboxed[@]}" cansend vcan0 123#DEADBEEF >"$dir/out" 2>&1
status=$?
tap_check "$((status == 0))" "cansend fails in the sandbox without the broker (exit $status)"

# candump waits for one frame; cansend sends it; both sandboxed, both
# under exec.
"${nobody[@]}" "$ctl" exec -- "$deny" $AF_CAN $EAFNOSUPPORT \
	candump -n 1 vcan0 >"$dir/dump" 2>&1 &
dump=$!
sent=1
for _ in $(seq 50); do
	sleep 0.2
	"${nobody[@]}" "$ctl" exec -- "$deny" $AF_CAN $EAFNOSUPPORT \
		cansend vcan0 123#DEADBEEF >>"$dir/out" 2>&1 && sent=0
	kill -0 "$dump" 2>/dev/null || break
done
wait "$dump"
status=$?
tap_check "$sent" "cansend sends from the sandbox under exec"
grep -q "123.*DE AD BE EF" "$dir/dump"
tap_check "$(( status != 0 || $? != 0 ))" "candump receives it in the sandbox under exec"
tap_diag "$(cat "$dir/dump" "$dir/out")"

cat >"$dir/can.py" <<'PY'
import socket, struct
# The socket module's own CAN example: a raw socket bound to vcan0 that
# sends a frame and reads it back from a second one.
fmt = "=IB3x8s"
rx = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
rx.bind(("vcan0",))
tx = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
tx.bind(("vcan0",))
tx.send(struct.pack(fmt, 0x321, 3, b"\x01\x02\x03"))
rx.settimeout(5)
can_id, length, data = struct.unpack(fmt, rx.recv(16))
assert can_id == 0x321 and data[:length] == b"\x01\x02\x03", (can_id, data)
print("frame 0x321 received")
PY
"${nobody[@]}" "$ctl" exec -- "$deny" $AF_CAN $EAFNOSUPPORT \
	/usr/bin/python3 "$dir/can.py" >"$dir/py" 2>&1
status=$?
grep -q "frame 0x321 received" "$dir/py"
tap_check "$(( status != 0 || $? != 0 ))" "a python3 AF_CAN program in the sandbox under exec"
tap_diag "$(cat "$dir/py")"

# The package from the source tree, where nobody can read it; the example
# as docs/examples has it. can.py echoes each frame it receives and then
# sends 0x001 with 01 02 03; cansend (root, outside the sandbox) sends
# until can.py has received one.
mkdir -p "$dir/python" && cp -r "${top_srcdir:-.}/client/python/sockbroker" "$dir/python/" &&
	cp "${top_srcdir:-.}/docs/examples/can.py" "$dir/" && chmod -R a+rX "$dir" || exit 99
"${sandboxed[@]}" /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)' \
	>"$dir/denied" 2>&1
status=$?
grep -q "Address family not supported" "$dir/denied"
tap_check "$(( status == 0 || $? != 0 ))" "python3 cannot make an AF_CAN socket in the sandbox"
tap_diag "$(cat "$dir/denied")"
candump vcan0 >"$dir/pydump" 2>&1 &
dump=$!
env PYTHONPATH="$dir/python" "${sandboxed[@]}" /usr/bin/python3 "$dir/can.py" vcan0 \
	>"$dir/example" 2>&1 &
example=$!
for _ in $(seq 50); do
	sleep 0.2
	grep -q "^Received: can_id=456" "$dir/example" && break
	kill -0 "$example" 2>/dev/null || break
	cansend vcan0 456#C0FFEE
done
sleep 0.5
kill "$example" "$dump" 2>/dev/null
wait "$example" "$dump"
grep -q "^Received: can_id=456, can_dlc=3" "$dir/example" && grep -q "001 .*01 02 03" "$dir/pydump"
tap_check "$?" "the package's CAN example in the sandbox gets its socket from sockbroker.socket()"
tap_diag "$(cat "$dir/example" "$dir/pydump" "$dir/daemon.log")"
exit 0
