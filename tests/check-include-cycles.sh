#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# No cycle among the modules of daemon/ and proto/ by their #include
# lines: a module is a .c file with its .h (foo-internal.h is foo's), and
# a module's files may include only modules that do not include it back,
# directly or through others. A module that needs another's types but
# would be needed by it takes them from a header of types alone (as
# daemon/state.h). TAP.
set -u
top_srcdir=${top_srcdir:-.}
n=0

tmp=$(mktemp -d /tmp/sockbroker-includes-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT

# edges DIR: "includer included" for each #include "DIR/x.h" in DIR.
edges() {
	for f in "$top_srcdir/$1"/*.[ch]; do
		from=$(basename "$f" | sed 's/\.[ch]$//; s/-internal$//')
		# A module's own header gives "foo foo": tsort takes it for a
		# node, not a cycle.
		sed -n "s|^#include \"$1/\\(.*\\)\\.h\".*|$from \\1|p" "$f" | sed 's/-internal$//'
	done
}

for dir in daemon proto; do
	n=$((n + 1))
	edges "$dir" >"$tmp/edges"
	if tsort "$tmp/edges" >/dev/null 2>"$tmp/err"; then
		echo "ok $n - $dir/: no include cycle"
	else
		echo "not ok $n - $dir/: an include cycle"
		sed 's/^/# /' "$tmp/err"
	fi
done
echo "1..$n"
