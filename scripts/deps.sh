# Shared by scripts/test and scripts/quickstart: install the Debian
# packages the build and the tests need, when they are missing.
# shellcheck shell=bash

SB_BUILD_PACKAGES="build-essential autoconf automake libtool pkgconf libsystemd-dev libjson-c-dev check libcap-ng-dev libbluetooth-dev"
# The real programs check-programs.sh and check-run.sh run (nginx,
# lighttpd): their packages must not start services on the machine (see
# below). bash-completion: the completion is built and tested with it.
# clang-format: make check-format.
SB_TEST_PACKAGES="iproute2 python3 python3-pip python3-setuptools python3-wheel util-linux procps systemd tcpdump iputils-ping nginx lighttpd can-utils strace bash-completion clang-format"

sb_install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# No package may start its service (nginx would take port 80 on
	# the machine): policy-rc.d refuses, unless one is there already.
	local guard=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d &&
			guard=/usr/sbin/policy-rc.d
	fi
	local rc=0
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
		rc=1
	[ -n "$guard" ] && rm -f "$guard"
	return $rc
}

# A source tree configured in place (README's "Building by hand") cannot
# be configured out of tree as well: clean it, saying so. Run from the top
# of the source tree.
sb_unconfigure_in_place() {
	[ -f ./config.status ] || return 0
	echo "the source tree is configured in place: cleaning it (make distclean) to build out of tree"
	make -s distclean >/dev/null 2>&1 || rm -f config.status
}

# Configure and build in $1 (relative to the source tree) with extra
# configure arguments.
sb_build() {
	local dir=$1 python=()
	shift
	sb_unconfigure_in_place
	[ -x ./configure ] || ./autogen.sh >/dev/null
	# The Python package is for the system's python3 (the Debian package
	# above), not for another one first in this account's PATH.
	[ -x /usr/bin/python3 ] && python=(PYTHON=/usr/bin/python3)
	mkdir -p "$dir"
	(
		cd "$dir" &&
		{ [ -f Makefile ] || ../configure -q --prefix=/usr --sysconfdir=/etc \
			--localstatedir=/var --runstatedir=/run --enable-werror "${python[@]}" "$@"; } &&
		make -s -j"$(nproc)"
	)
}
