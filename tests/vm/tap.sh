# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# TAP output for the VM tests written in shell; source it. Numbers the
# results itself, so a script only states its plan and its results.

tap_count=0

tap_plan() {
	echo "1..$1"
}

# tap_check STATUS DESCRIPTION: "ok" when STATUS is 0, "not ok" otherwise.
tap_check() {
	local status=$1

	shift
	tap_count=$((tap_count + 1))
	if [ "$status" = 0 ]; then
		echo "ok $tap_count - $*"
	else
		echo "not ok $tap_count - $*"
	fi
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

# tap_diag LINE...: comments, shown in the test's log.
tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}
