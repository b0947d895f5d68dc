#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sockbroker under a real systemd: installs the build tree into a staging
# directory (make install DESTDIR=), boots the test VM with systemd as
# PID 1 and that tree installed onto its root (run-in-vm --systemd
# --install), and runs tests/vm/systemd-units.sh there as a unit. Its TAP
# output is this test's output; when the VM cannot be had, a TAP skip-all
# plan.
set -u

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
. "$here/tap.sh"
top_builddir=${top_builddir:-.}

[ "$(id -u)" = 0 ] || {
	echo "1..0 # SKIP needs root to install the tree as root's files"
	exit 0
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-vm-systemd.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# From a sub-make that must not join the jobserver of a parallel check.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install \
	DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1; then
	tap_plan 1
	tap_check 1 "make install DESTDIR= for the VM's root"
	tap_diag "$(tail -n 20 "$tmp/install.log")"
	exit 0
fi

status=0
"$here/run-in-vm" --tap --systemd --install "$tmp/root" --timeout 900 --results "$tmp/results" -- \
	bash "$here/systemd-units.sh" 2>"$tmp/err" || status=$?
cat "$tmp/err" >&2
[ -r "$tmp/results/elapsed" ] && tap_diag "boot, tests and power-off took $(cat "$tmp/results/elapsed") s"
# What the journal holds of the daemon, for the log.
[ -r "$tmp/results/journal" ] && tap_diag "$(grep -E 'sockbrokerd|Watchdog' "$tmp/results/journal" | tail -n 40)"
exit "$status"
