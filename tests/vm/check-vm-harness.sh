#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Tests run-in-vm itself: usage errors, skipping when the VM cannot be had,
# exit statuses (77 stays 77), what the command sees inside (arguments,
# working directory, environment, writable and read-only places, vcan0),
# the initramfs cache, and the timeout.
set -u

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
. "$here/tap.sh"
run_in_vm=$here/run-in-vm

reason=$("$here/ensure-deps") || {
	echo "1..0 # SKIP $reason"
	exit 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-vm-harness.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# A cache of its own, to see it built, reused and rebuilt.
export SB_VM_CACHE=$tmp/cache

tap_plan 30

# -- without booting
status=0
"$run_in_vm" 2>"$tmp/err" || status=$?
tap_check $((status != 2)) "no command: usage error (exit $status)"
status=0
"$run_in_vm" --timeout 0 -- true 2>"$tmp/err" || status=$?
tap_check $((status != 2)) "--timeout 0: usage error (exit $status)"
status=0
"$run_in_vm" --modules 'vcan;reboot' -- true 2>"$tmp/err" || status=$?
tap_check $((status != 2)) "--modules with a bad name: usage error (exit $status)"
status=0
"$run_in_vm" --install "$tmp" -- true 2>"$tmp/err" || status=$?
tap_check $((status != 2)) "--install without --systemd: usage error (exit $status)"
status=0
"$run_in_vm" --systemd --install "$tmp/nonexistent" -- true 2>"$tmp/err" || status=$?
tap_check $((status != 2)) "--install of no directory: usage error (exit $status)"
status=0
SB_VM_BUSYBOX=/nonexistent "$run_in_vm" -- true 2>"$tmp/err" || status=$?
tap_check $((status != 77)) "no busybox: exit 77 (exit $status)"
grep -q 'skipped: no static busybox at /nonexistent' "$tmp/err"
tap_check $? "no busybox: the reason is on stderr"
status=0
out=$(SB_VM_BUSYBOX=/nonexistent "$run_in_vm" --tap -- true 2>&1) || status=$?
[ "$status" = 0 ] && [ "$out" = "1..0 # SKIP no static busybox at /nonexistent" ]
tap_check $? "no busybox with --tap: a TAP skip-all plan, exit 0"

# -- exit status 77
status=0
out=$("$run_in_vm" --results "$tmp/a" -- sh -c 'echo skipping; exit 77' 2>"$tmp/err") || status=$?
tap_check $((status != 77)) "a command's exit status 77 stays 77 (exit $status)"
[ "$status" = 77 ] || tap_diag "$(cat "$tmp/err")"
[ "$out" = skipping ]
tap_check $? "its output comes back"
initramfs=$(echo "$SB_VM_CACHE"/initramfs-*.cpio)
[ -s "$initramfs" ] && [ -s "$initramfs.key" ]
tap_check $? "the initramfs was built into SB_VM_CACHE"
built=$(stat -c %Y.%i "$initramfs" 2>/dev/null)

# -- what the command sees, from a working directory under /tmp
# shellcheck disable=SC2016 # expanded inside the VM
script='
printf "<%s>\n" "$@"
echo "cwd=$(pwd -P)"
echo "marker=$(cat marker)"
echo "mark=$SB_HARNESS_MARK"
echo "makeflags=${MAKEFLAGS-unset}"
echo "vm=$SB_VM results=$SB_VM_RESULTS"
touch /tmp/probe /run/probe /dev/shm/probe && echo "tmpfs=writable"
touch probe 2>/dev/null && echo "cwd=writable" || echo "cwd=read-only"
echo artifact >"$SB_VM_RESULTS/artifact"
ip -o link show lo | grep -q "[<,]UP[,>]" && echo "lo=up"
ip -o link show vcan0 | grep -q "[<,]UP[,>]" && echo "vcan0=up"
grep -q "^sctp " /proc/modules && echo "sctp=loaded"
echo to-stderr >&2
exit 3'
mkdir "$tmp/work"
echo visible >"$tmp/work/marker"
status=0
out=$(cd "$tmp/work" && SB_HARNESS_MARK=$'a value\nover two lines' MAKEFLAGS=' -j2 --jobserver-auth=3,4' \
	"$run_in_vm" --results "$tmp/b" --modules sctp -- sh -c "$script" sh 'a b' '' 'c"d' $'e\nf' \
	2>"$tmp/err") || status=$?
tap_check $((status != 3)) "the command's exit status comes back (exit $status)"
[ "$status" = 3 ] || tap_diag "$out" "$(cat "$tmp/err")"
want=$(printf '<%s>\n' 'a b' '' 'c"d' $'e\nf')
[ "${out:0:${#want}}" = "$want" ]
tap_check $? "arguments arrive unchanged"
grep -qx "cwd=$(cd "$tmp/work" && pwd -P)" <<<"$out" && grep -qx "marker=visible" <<<"$out"
tap_check $? "same working directory, its files visible though it is under /tmp"
grep -qx 'cwd=read-only' <<<"$out"
tap_check $? "the host's files are read-only"
grep -qx 'tmpfs=writable' <<<"$out"
tap_check $? "/tmp, /run and /dev/shm are writable"
grep -qx 'mark=a value' <<<"$out" && grep -qx 'over two lines' <<<"$out"
tap_check $? "the environment arrives unchanged"
grep -qx 'makeflags=unset' <<<"$out"
tap_check $? "make's jobserver flags are dropped"
grep -qx "vm=1 results=$tmp/b" <<<"$out" && [ "$(cat "$tmp/b/artifact" 2>/dev/null)" = artifact ]
tap_check $? "SB_VM_RESULTS is writable and its files reach the host"
grep -qx 'lo=up' <<<"$out" && grep -qx 'vcan0=up' <<<"$out"
tap_check $? "lo and vcan0 are up"
grep -qx 'sctp=loaded' <<<"$out"
tap_check $? "--modules loads the modules asked for"
[ "$(cat "$tmp/err")" = to-stderr ] && ! grep -q to-stderr <<<"$out"
tap_check $? "stderr comes back apart from stdout, without console noise"
[ "$(stat -c %Y.%i "$initramfs" 2>/dev/null)" = "$built" ]
tap_check $? "the cached initramfs is reused"

# -- a module that does not exist
status=0
"$run_in_vm" --modules no_such_module -- true >/dev/null 2>"$tmp/err" || status=$?
tap_check $((status != 99)) "--modules with an unknown module: the VM fails (exit $status)"
grep -q 'cannot load the modules asked for: no_such_module' "$tmp/err"
tap_check $? "the failure is explained"

# -- timeout, with a stale cache key
echo stale >"$initramfs.key"
status=0
start=$SECONDS
"$run_in_vm" --timeout 15 --results "$tmp/c" -- sleep 600 >/dev/null 2>"$tmp/err" || status=$?
took=$((SECONDS - start))
tap_check $((status != 124)) "a command that runs too long: exit 124 (exit $status)"
grep -q 'timed out after 15 s' "$tmp/err"
tap_check $? "the timeout is reported"
tap_diag "the run with a 15 s timeout took ${took} s"
[ "$took" -lt 45 ]
tap_check $? "the VM is stopped at the timeout"
! pgrep -f "path=$tmp/c," >/dev/null
tap_check $? "no qemu is left running"
[ "$(cat "$initramfs.key")" != stale ]
tap_check $? "a stale cache key rebuilds the initramfs"
