#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The interposer on a kernel with AF_CAN: can-utils and a python3 AF_CAN
# program in a sandbox that forbids AF_CAN, under `sockbrokerctl exec`
# (tests/vm/preload-can.sh), and the Python package's CAN example in the
# same sandbox, inside the test VM. Its TAP output is this
# test's output; when the VM cannot be had, a TAP skip-all plan.
here=$(cd -- "$(dirname -- "$0")" && pwd -P)

exec "$here/run-in-vm" --tap --timeout 300 -- bash "$here/preload-can.sh"
