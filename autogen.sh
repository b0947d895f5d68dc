#!/bin/sh
# Regenerate the build system from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
autoreconf --force --install
# Automake does not install the TAP driver by itself.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/
