#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# AF_CAN and AF_ALG brokered to a sandboxed client on a real kernel: runs
# the check-vm-broker suite (tests/check-vm-broker.c) inside the test VM.
# Its TAP output is this test's output; when the VM cannot be had, a TAP
# skip-all plan with the reason.
here=$(cd -- "$(dirname -- "$0")" && pwd -P)

exec "$here/run-in-vm" --tap --timeout 300 -- "${top_builddir:-.}/check-vm-broker"
