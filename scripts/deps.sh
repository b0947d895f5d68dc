# Shared by scripts/test and scripts/quickstart: install the Debian
# packages the build and the tests need, when they are missing.
# shellcheck shell=bash

SB_BUILD_PACKAGES="build-essential autoconf automake libtool pkgconf libsystemd-dev libjson-c-dev check libcap-ng-dev libbluetooth-dev"
SB_TEST_PACKAGES="iproute2 python3 util-linux procps systemd strace"

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
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
}

# Configure and build in $1 (relative to the source tree) with extra
# configure arguments.
sb_build() {
	local dir=$1
	shift
	[ -x ./configure ] || ./autogen.sh >/dev/null
	mkdir -p "$dir"
	(
		cd "$dir" &&
		{ [ -f Makefile ] || ../configure -q --prefix=/usr --sysconfdir=/etc \
			--localstatedir=/var --runstatedir=/run --enable-werror "$@"; } &&
		make -s -j"$(nproc)"
	)
}
