#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Where configure puts the systemd files: under any --prefix but /usr,
# beneath that prefix (a --prefix install and make distcheck must not
# write into the system's unit directories); with --prefix=/usr, where
# pkg-config's systemd.pc says. Configures a scratch build tree. TAP.
set -u
top_srcdir=${top_srcdir:-.}
n=0

tmp=$(mktemp -d /tmp/sockbroker-dirs-XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT

# value DIR VARIABLE: the variable as the configured Makefile in DIR has it.
value() {
	sed -n "s|^$2 = ||p" "$1/Makefile"
}
result() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "# got:  $2"
		echo "# want: $3"
	fi
}
configure() {
	mkdir -p "$tmp/$1" && (cd "$tmp/$1" && "$top_srcdir/configure" -q --prefix="$2" >/dev/null 2>&1)
}

if ! configure opt "$tmp/p"; then
	echo "1..0 # SKIP configure fails in a scratch tree (is the source tree configured in place?)"
	exit 0
fi
for v in systemdsystemunitdir:systemd/system sysusersdir:sysusers.d tmpfilesdir:tmpfiles.d; do
	name=${v%%:*}
	result "--prefix=DIR: $name under the prefix" "$(value "$tmp/opt" "$name")" \
		"\${prefix}/lib/${v#*:}"
done
if configure usr /usr && pkg-config --exists systemd; then
	result "--prefix=/usr: the unit directory of systemd.pc" \
		"$(value "$tmp/usr" systemdsystemunitdir)" "$(pkg-config --variable=systemdsystemunitdir systemd)"
else
	n=$((n + 1))
	echo "ok $n - --prefix=/usr: the unit directory of systemd.pc # SKIP no systemd.pc"
fi
echo "1..$n"
