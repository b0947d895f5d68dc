#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The CAN and AF_ALG examples of sockbroker(3) (docs/examples/can.c and
# sha256.c) on a kernel that has those families: runs their cases of
# check-examples inside the test VM, in one boot. There, as on the host,
# each example runs as nobody against the real daemon and must print the
# expected result. On the host they skip (exit 77, no AF_CAN / AF_ALG);
# in the VM a skip is a failure.
set -u

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
. "$here/tap.sh"

CASES=(test_can test_sha256)
suite=${top_builddir:-.}/check-examples

results=$(mktemp -d "${TMPDIR:-/tmp}/check-vm-examples.XXXXXX") || exit 99
trap 'rm -rf "$results"' EXIT

# Check runs the one test case CK_RUN_CASE names; each run prints its own
# TAP, one result line.
# shellcheck disable=SC2016 # expanded inside the VM
script='suite=$1; shift; status=0
for case in "$@"; do
	CK_RUN_CASE=$case "$suite" || status=1
done
exit $status'
status=0
out=$("$here/run-in-vm" --tap --timeout 300 --results "$results" -- \
	bash -c "$script" sh "$suite" "${CASES[@]}" 2>"$results/harness.err") || status=$?
case $out in
"1..0 # SKIP"*)
	echo "$out"
	exit 0
	;;
esac

tap_plan $((${#CASES[@]} + 1))
tap_check "$status" "the examples' cases ran in the VM (exit $status)"
for case in "${CASES[@]}"; do
	line=$(grep -E "^(not )?ok [0-9]+ - $case( |:|\$)" <<<"$out" | head -n 1)
	case $line in
	"ok "*"# SKIP "*)
		tap_check 1 "$case: skipped in the VM, where it must run: ${line#*# SKIP }"
		;;
	"ok "*)
		tap_check 0 "$case: the example ran as nobody through the broker"
		;;
	"")
		tap_check 1 "$case: no result from the VM"
		;;
	*)
		tap_check 1 "$case: ${line#*- }"
		;;
	esac
done
# The examples' output and any failure's messages, for the log.
tap_diag "$(cat "$results/harness.err")"
[ -r "$results/elapsed" ] && tap_diag "boot, examples and power-off took $(cat "$results/elapsed") s"
exit 0
