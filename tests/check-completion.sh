#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion of sockbrokerctl, as bash-completion runs it:
# commands, options, check's methods, keys and values, run's families and
# the command after --; and its installation where pkg-config
# bash-completion says. Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
completion=$top_srcdir/completion/sockbrokerctl
bash_completion=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null)
[ -n "$bash_completion" ] && [ -r /usr/share/bash-completion/bash_completion ] ||
	skip_all "bash-completion is not installed (the completion is not either)"

# shellcheck disable=SC1091
. /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1090
. "$completion"

# complete LINE: what TAB offers at the end of LINE, in $out.
complete_line() {
	local line=$1
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	# compopt works only inside a real completion; its effect is not ours
	# to test.
	_sockbrokerctl 2>/dev/null
	out="${COMPREPLY[*]}"
	status=0
}
is() { [ "$out" = "$1" ]; }

complete_line "sockbrokerctl "
check "commands" is "status list check info reload run exec help"
complete_line "sockbrokerctl --js"
check "global options" is "--json"
complete_line "sockbrokerctl help r"
check "help COMMAND" is "reload run"
complete_line "sockbrokerctl status --"
check "a command's options" is "--json --help"
complete_line "sockbrokerctl check nobody "
check "check: methods after the user" is "socket bind setsockopt admin"
complete_line "sockbrokerctl check nobody socket fam"
check "check: keys" is "family="
complete_line "sockbrokerctl check nobody socket family=AF_IN"
check "check: family values (after the '=' readline breaks at)" is "AF_INET AF_INET6"
complete_line "sockbrokerctl run --socket=AF_PA"
check "run: families in --socket=" is "AF_PACKET"
complete_line "sockbrokerctl run -s AF_VS"
check "run: families after -s" is "AF_VSOCK"
complete_line "sockbrokerctl run --socket=AF_INET:SOCK_DGRAM -- bas"
check "run: the command after --" eval 'has "(^| )bash( |$)"'
complete_line "sockbrokerctl exec -- bas"
check "exec: the command after --" eval 'has "(^| )bash( |$)"'

# Installed where bash-completion looks, as configure found it.
dest=$(mktemp -d /tmp/sockbroker-completion-XXXXXX) || exit 1
trap 'rm -rf "$dest"' EXIT
out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top_builddir" install-bashcompletionDATA DESTDIR="$dest" 2>&1)
status=$?
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
want=$(pkg-config --define-variable=prefix="$prefix" --variable=completionsdir bash-completion)
check "installed in pkg-config bash-completion's completionsdir" eval 'status_is 0 && cmp -s "$completion" "$dest$want/sockbrokerctl"'

echo "1..$n"
