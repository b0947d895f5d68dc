#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's commands work whatever state the source tree is in: after
# its "Building by hand" (configured in place), scripts/test,
# scripts/quickstart and tests/fuzz/run-all configure out of the tree,
# which autoconf refuses while the tree is configured in place; they
# clean it first (scripts/deps.sh). Checked on a copy of the tree. TAP.
set -u
top_srcdir=${top_srcdir:-.}
n=0

tmp=$(mktemp -d /tmp/sockbroker-scripts-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; fi
}

mkdir "$tmp/src"
tar -C "$top_srcdir" --exclude=./build --exclude='./build-s*' --exclude='./build-fuzz*' --exclude=./.git \
	-cf - . | tar -C "$tmp/src" -xf - || exit 99
chmod -R u+w "$tmp/src"
cd "$tmp/src" || exit 99
{ [ -x ./configure ] || ./autogen.sh; } >"$tmp/out" 2>&1 || { echo "1..0 # SKIP autogen.sh fails here"; exit 0; }
if ! ./configure -q >"$tmp/out" 2>&1; then
	echo "1..0 # SKIP configure fails here (missing build dependencies?)"
	exit 0
fi
# shellcheck source=scripts/deps.sh
. ./scripts/deps.sh
sb_unconfigure_in_place >"$tmp/out" 2>&1
[ ! -e config.status ]
result "a tree configured in place is cleaned, saying so" $?
mkdir b && (cd b && ../configure -q) >"$tmp/out" 2>&1
result "and then configures out of the tree" $?
echo "1..$n"
