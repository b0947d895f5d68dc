#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Proves the test VM has the socket families the brokered VM tests need
# (raw CAN frames on vcan0, BCM, ISO-TP, J1939, an AF_ALG hash and cipher
# with known answers, a TIPC RDM datagram by service name, an RDS datagram,
# a VSOCK stream over loopback, an SCTP stream, a QRTR datagram, and the
# Bluetooth L2CAP, RFCOMM, SCO and HCI sockets), and that the host's kernel
# lacks them, which is why those tests run in the VM.
set -u

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
. "$here/tap.sh"

CHECKS=(can-raw can-bcm can-isotp can-j1939 alg-hash alg-skcipher tipc-rdm rds vsock-loopback
	sctp bt-l2cap bt-rfcomm bt-sco bt-hci qrtr)
EAFNOSUPPORT=97
EPROTONOSUPPORT=93
EADDRNOTAVAIL=99

# The distribution's interpreter: it is the same inside the VM.
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3) || {
	echo "1..0 # SKIP no python3 to probe the kernels with"
	exit 0
}
reason=$("$here/ensure-deps") || {
	echo "1..0 # SKIP $reason"
	exit 0
}

results=$(mktemp -d "${TMPDIR:-/tmp}/check-vm-kernel.XXXXXX") || exit 99
trap 'rm -rf "$results"' EXIT

tap_plan $((2 * ${#CHECKS[@]} + 1))

# What the probe says about CHECK in OUTPUT: "ok CHECK" or "fail CHECK: why".
probe_line() {
	grep -E "^(ok|fail) $1(:|\$)" <<<"$2" | head -n 1
}

host=$("$python" "$here/probe-kernel.py" "${CHECKS[@]}" 2>&1)
for check in "${CHECKS[@]}"; do
	line=$(probe_line "$check" "$host")
	case $line in
	"fail $check: [Errno $EAFNOSUPPORT]"*)
		tap_check 0 "$check: the host's kernel lacks the family (EAFNOSUPPORT)"
		;;
	"fail $check: [Errno $EPROTONOSUPPORT]"*)
		tap_check 0 "$check: the host's kernel lacks the protocol (EPROTONOSUPPORT)"
		;;
	"fail vsock-loopback: [Errno $EADDRNOTAVAIL]"*)
		tap_check 0 "$check: the host's kernel lacks the VSOCK loopback transport (EADDRNOTAVAIL)"
		;;
	"")
		tap_check 1 "$check: the probe said nothing on the host"
		tap_diag "$host"
		;;
	*)
		tap_skip "$check: the host's kernel lacks the family" "host kernel $(uname -r): $line"
		;;
	esac
done

status=0
vm=$("$here/run-in-vm" --timeout 300 --results "$results" -- \
	"$python" "$here/probe-kernel.py" "${CHECKS[@]}" 2>"$results/harness.err") || status=$?
tap_check "$status" "the probe ran in the VM and passed (exit $status)"
[ "$status" = 0 ] || tap_diag "$vm" "$(cat "$results/harness.err")"
[ -r "$results/elapsed" ] && tap_diag "boot, probe and power-off took $(cat "$results/elapsed") s"
for check in "${CHECKS[@]}"; do
	line=$(probe_line "$check" "$vm")
	[ "$line" = "ok $check" ]
	tap_check $? "$check works in the VM"
	[ "$line" = "ok $check" ] || tap_diag "${line:-the probe said nothing about $check}"
done
