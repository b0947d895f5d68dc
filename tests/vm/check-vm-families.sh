#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# TIPC, RDS, VSOCK, SCTP, CAN J1939, Bluetooth and QRTR brokered to a
# sandboxed client on a real kernel: runs the check-vm-families suite
# (tests/check-vm-families.c) inside the test VM. Its TAP output is this
# test's output; when the VM cannot be had, a TAP skip-all plan with the
# reason.
here=$(cd -- "$(dirname -- "$0")" && pwd -P)

exec "$here/run-in-vm" --tap --timeout 300 -- "${top_builddir:-.}/check-vm-families"
