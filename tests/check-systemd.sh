#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The systemd integration: the units pass systemd-analyze verify and stay
# within the exposure budget; the sysusers.d and tmpfiles.d files do what
# they say; sockbrokerd serves under systemd-socket-activate and speaks
# sd_notify (READY=1, STATUS=, RELOADING=1, WATCHDOG=1, STOPPING=1) to a
# NOTIFY_SOCKET we listen on; and it works as the unit runs it: a non-root
# user with only the unit's ambient capabilities, no_new_privs, /proc
# mounted as ProtectProc=invisible / ProcSubset=pid mount it, and
# NOTIFY_SOCKET on a read-only mount as ReadOnlyPaths=/run leaves it.
# systemd is not PID 1 here, so nothing is started with systemctl:
# tests/vm/check-vm-systemd.sh does that in the test VM. Prints TAP.
set -u
. "$(dirname "$0")/lib.sh"

top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
ctl=$top_builddir/sockbrokerctl
daemon=$top_builddir/sockbrokerd
service=$top_builddir/systemd/sockbrokerd.service
socket_unit=$top_builddir/systemd/sockbrokerd.socket
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
addr=127.0.0.81
# What sockbrokerd.service grants, as setpriv spells it.
unit_caps=+net_raw,+net_admin,+net_broadcast,+net_bind_service,+setuid,+setgid

[ "$(id -u)" -eq 0 ] || skip_all "needs root to run sockbrokerd and to change users"
private_netns "$@"
need_tools systemd-analyze systemd-socket-activate systemd-sysusers systemd-tmpfiles python3 setpriv unshare

dir=$(mktemp -d /tmp/sockbroker-systemd-XXXXXX) || exit 1
chmod 755 "$dir"
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT

# Run a command, keeping its exit status and its output (both streams).
run() {
	out=$("$@" 2>&1)
	status=$?
}

# The value of KEY= in a unit file (the last assignment).
unit_value() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# Every assignment of KEY=, in order.
unit_value_all() {
	sed -n "s/^$2=//p" "$1"
}

# ------------------------------------------------------------ unit files
# verify checks that the executables exist and that the Documentation=
# pages open with man: give it a root with the host's units, ours, and
# our binaries at the paths the unit names, and our pages on MANPATH.
root=$dir/root
unitdir=/usr/lib/systemd/system
mkdir -p "$root$unitdir" "$dir/man/man5" "$dir/man/man8"
cp -a /usr/lib/systemd/system/. "$root$unitdir/"
cp "$service" "$socket_unit" "$root$unitdir/"
exec_start=$(unit_value "$service" ExecStart | cut -d' ' -f1)
exec_reload=$(unit_value "$service" ExecReload | cut -d' ' -f1)
exec_reload=${exec_reload#+}
mkdir -p "$root$(dirname "$exec_start")" "$root$(dirname "$exec_reload")"
cp "$daemon" "$root$exec_start"
cp "$ctl" "$root$exec_reload"
cp "$top_srcdir/docs/sockbroker-policy.5" "$dir/man/man5/"
cp "$top_srcdir/docs/sockbrokerd.8" "$top_srcdir/docs/sockbrokerctl.8" "$dir/man/man8/"
if command -v man >/dev/null; then
	man_check="man pages found"
	man_opt=--man=yes
else
	man_check="Documentation= not checked: man is not installed"
	man_opt=--man=no
fi
run env MANPATH="$dir/man" systemd-analyze verify "$man_opt" --root="$root" \
	"$unitdir/sockbrokerd.socket" "$unitdir/sockbrokerd.service"
check "systemd-analyze verify: both units clean ($man_check)" eval 'status_is 0 && [ -z "$out" ]'

run systemd-analyze security --offline=yes "$service"
exposure=$(sed -n 's/.*Overall exposure level for sockbrokerd.service: \([0-9.]*\).*/\1/p' <<<"$out")
check "systemd-analyze security: exposure $exposure is 2.5 or lower" \
	eval '[ -n "$exposure" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 2.5 else 1)" "$exposure"'

caps_of() { unit_value "$service" "$1" | tr ' ' '\n' | sort | tr '\n' ' '; }
out="$(caps_of AmbientCapabilities)/ $(caps_of CapabilityBoundingSet)"
status=0
want="CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_SETGID CAP_SETUID "
check "the service holds exactly the six capabilities brokering needs" \
	eval '[ "$out" = "$want/ $want" ]'
out=$(grep -E '^(User|Type|NotifyAccess|WatchdogSec|NoNewPrivileges|ExecReload)=' "$service")
check "the service: a dedicated user, Type=notify, a watchdog, reload through sockbrokerctl" \
	eval 'has "^User=sockbroker$" && has "^Type=notify$" && has "^NotifyAccess=main$" && has "^WatchdogSec=[1-9]" && has "^NoNewPrivileges=yes$" && has "^ExecReload=\+.*/sockbrokerctl .*reload$"'
# ProtectSystem=strict leaves /run writable once MountAPIVFS= is implied
# (ProtectKernelTunables=, ProtectControlGroups=): the unit must make it
# read-only itself, and open nothing below it for writing but its own
# runtime directory. How systemd applies it needs systemd as PID 1.
out=$(grep -E '^(ProtectSystem|ReadOnlyPaths|ReadWritePaths|ProtectKernelTunables)=' "$service")
status=0
run_writable=$(unit_value_all "$service" ReadWritePaths | tr ' ' '\n' | sed 's/^[-+]//' |
	grep -E '^/run(/|$)' | grep -vxE '/run/sockbroker(/.*)?')
check "the service: /run read-only (ReadOnlyPaths=), nothing below it writable but its own" \
	eval 'has "^ProtectSystem=strict$" && has "^ReadOnlyPaths=(.* )?/run( |$)" && [ -z "$run_writable" ]'
default_socket=$("$ctl" --help | sed -n 's/.*else \(\/[^)]*\)).*/\1/p')
out=$(grep -E '^(ListenStream|SocketMode)=' "$socket_unit")
check "the socket unit listens where the tools look, mode 0666" \
	eval '[ -n "$default_socket" ] && has "^ListenStream=$default_socket$" && has "^SocketMode=0666$"'

# ------------------------------------------------------------ sysusers.d, tmpfiles.d
mkdir -p "$dir/sysroot/etc"
run systemd-sysusers --root="$dir/sysroot" "$top_srcdir/systemd/sysusers.d/sockbroker.conf"
out="$out"$'\n'"$(grep '^sockbroker:' "$dir/sysroot/etc/passwd" 2>&1)"
check "sysusers.d creates the system user sockbroker" eval 'status_is 0 && python3 -c "
import sys
name, _, uid, gid, gecos, home, shell = sys.argv[1].splitlines()[-1].split(\":\")
assert name == \"sockbroker\" and 0 < int(uid) < 1000 and shell.endswith(\"nologin\"), sys.argv[1]
" "$out"'

tmpfiles=$top_builddir/systemd/tmpfiles.d/sockbroker.conf
run systemd-tmpfiles --create --root="$dir/sysroot" "$tmpfiles"
out="$out"$'\n'"$(for d in $(awk '$1 == "d" {print $2}' "$tmpfiles"); do stat -c '%n %a %U' "$dir/sysroot$d"; done 2>&1)"
check "tmpfiles.d creates the run and policy directories, 0755 root" eval 'status_is 0 && [ "$(grep -c " 755 root$" <<<"$out")" -eq 3 ] && has "/sockbroker/policy.d 755 root$"'

# ------------------------------------------------------------ socket activation and sd_notify
cat >"$dir/notify.py" <<'EOF'
# Receive sd_notify datagrams and append each assignment as a line, a
# datagram in one write: READY=1 is never seen without its STATUS=.
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as f:
    f.write("LISTENING\n")
    while True:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            break
        f.write("".join(line + "\n" for line in msg.decode().split("\n") if line))
EOF
notify_log=$dir/notify.log
python3 "$dir/notify.py" "$dir/notify" "$notify_log" &
pids+=($!)
wait_for 5 grep -q LISTENING "$notify_log" 2>/dev/null

printf 'allow user:nobody socket family=AF_INET type=SOCK_STREAM\nallow user:nobody bind family=AF_INET port=80\n' >"$dir/policy.conf"
chmod 644 "$dir/policy.conf"
sock=$dir/activated.sock
systemd-socket-activate -l "$sock" -E NOTIFY_SOCKET="$dir/notify" -E WATCHDOG_USEC=300000 \
	"$daemon" --policy="$dir/policy.conf" --verbose 2>"$dir/activated.log" &
activated_pid=$!
pids+=($activated_pid)
wait_for 5 test -S "$sock"
run "$ctl" --socket="$sock" status
check "socket-activated: the daemon serves on the descriptor it was passed" \
	eval 'status_is 0 && has "^Policy rules: +2$" && grep -q "serving on socket-activated descriptors" "$dir/activated.log"'

notified() { grep -qx -- "$1" "$notify_log"; }
wait_for 5 notified READY=1
out=$(cat "$notify_log")
check "READY=1 and STATUS= reach NOTIFY_SOCKET" eval 'has "^READY=1$" && has "^STATUS=Serving, 2 policy rule"'
wait_for 5 notified WATCHDOG=1
out=$(cat "$notify_log")
check "WATCHDOG=1 is sent when WATCHDOG_USEC is set" has "^WATCHDOG=1$"

printf 'allow user:nobody socket family=AF_INET type=SOCK_STREAM\n' >"$dir/policy.conf"
kill -HUP "$activated_pid"
reloaded() { [ "$(grep -xc -- 'READY=1' "$notify_log")" -ge 2 ]; }
wait_for 5 reloaded
out=$(grep -vx WATCHDOG=1 "$notify_log")
check "SIGHUP: RELOADING=1, then READY=1 with the new rule count" \
	eval 'awk "/^RELOADING=1\$/ {r = NR} /^READY=1\$/ && r {ok = 1} END {exit !ok}" <<<"$out" && has "^STATUS=Serving, 1 policy rule"'
run "$ctl" --socket="$sock" reload
check "sockbrokerctl reload on the activated daemon" eval 'status_is 0 && has "^Policy reloaded: +1 rule"'

kill -TERM "$activated_pid"
wait "$activated_pid"
status=$?
wait_for 5 notified STOPPING=1
out=$(cat "$notify_log")
check "SIGTERM: STOPPING=1, clean exit" eval 'status_is 0 && has "^STOPPING=1$"'

# ------------------------------------------------------------ as the unit runs it
# Started by hand as root, the daemon keeps only what it may need and
# sets no_new_privs.
cap_line() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status"; }
"$daemon" --listen="$dir/root.sock" --policy="$dir/policy.conf" 2>"$dir/root.log" &
root_pid=$!
pids+=($root_pid)
wait_for 5 "$ctl" --socket="$dir/root.sock" status >/dev/null 2>&1
out="eff=$(cap_line CapEff $root_pid) prm=$(cap_line CapPrm $root_pid) bnd=$(cap_line CapBnd $root_pid) amb=$(cap_line CapAmb $root_pid) nnp=$(cap_line NoNewPrivs $root_pid)"
status=0
# CAP_SETGID 6, CAP_SETUID 7, CAP_NET_BIND_SERVICE 10, CAP_NET_BROADCAST 11,
# CAP_NET_ADMIN 12, CAP_NET_RAW 13, CAP_SYS_ADMIN 21 (netns).
check "started by hand: only the needed capabilities, no_new_privs" \
	eval '[ "$out" = "eff=0000000000203cc0 prm=0000000000203cc0 bnd=0000000000203cc0 amb=0000000000000000 nnp=1" ]'
kill "$root_pid"
wait "$root_pid"

# A uid that exists nowhere stands in for the sockbroker account.
svc_uid=61999
while getent passwd "$svc_uid" >/dev/null || getent group "$svc_uid" >/dev/null; do
	svc_uid=$((svc_uid - 1))
done
sock=$dir/unit.sock
printf '%s\n' \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM" \
	"allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP" \
	"allow user:nobody bind family=AF_INET port=80" \
	"allow unit:sbtest-s.service socket family=AF_PACKET type=SOCK_RAW" >"$dir/policy.conf"
# NOTIFY_SOCKET in a directory mounted read-only, as ReadOnlyPaths=/run
# leaves /run/systemd/notify.
ro_dir=$dir/ro-run
ro_notify_log=$dir/ro-notify.log
mkdir -m 755 "$ro_dir"
python3 "$dir/notify.py" "$ro_dir/notify" "$ro_notify_log" &
pids+=($!)
wait_for 5 grep -q LISTENING "$ro_notify_log" 2>/dev/null
if ! unshare -m --propagation private sh -c 'mount -t proc -o hidepid=invisible,subset=pid proc /proc' 2>"$dir/err"; then
	reason="cannot mount /proc with hidepid=invisible,subset=pid: $(cat "$dir/err")"
	for t in "serves nobody" "socket owned by nobody" "raw ICMP" "unit" "capabilities" "list" "admin" \
		"sd_notify" "system calls"; do
		skip "as the unit runs it: $t" "$reason"
	done
else
	# Under strace when it is there, to hold the system calls the daemon
	# makes against the unit's SystemCallFilter= below.
	tracer=
	command -v strace >/dev/null && tracer="strace -f -qq -o $dir/trace"
	unshare -m --propagation private sh -c '
		mount -t proc -o hidepid=invisible,subset=pid proc /proc || exit 1
		mount --bind "$7" "$7" && mount -o remount,bind,ro "$7" || exit 1
		exec $6 systemd-socket-activate -l "$1" -E NOTIFY_SOCKET="$7/notify" \
			setpriv --reuid="$2" --regid="$2" --clear-groups \
			--inh-caps=-all,"$3" --ambient-caps=-all,"$3" --bounding-set=-all,"$3" --nnp \
			"$4" --policy="$5" --verbose' sh \
		"$sock" "$svc_uid" "$unit_caps" "$daemon" "$dir/policy.conf" "$tracer" "$ro_dir" \
		2>"$dir/unit.log" &
	pids+=($!)
	# systemd creates the unit's socket 0666 (SocketMode=).
	wait_for 5 test -S "$sock" && chmod 666 "$sock"
	activator=$(pgrep -n -f "^systemd-socket-activate -l $sock ")
	pids+=($activator)
	# systemd-socket-activate executes the daemon on the first connection.
	wait_for 5 "$ctl" --socket="$sock" status >/dev/null 2>&1
	unit_pid=$(pgrep -n -f "^$daemon --policy=$dir/policy.conf")
	pids+=($unit_pid)

	# nobody holds a brokered :80 socket.
	hold_socket "$ctl" "$sock" "AF_INET:SOCK_STREAM@$addr:80"
	pids+=($holder_pid)
	out=$(ls -l "/proc/$holder_pid/fd" 2>&1)
	status=0
	check "as the unit runs it: serves nobody a :80 socket" has "socket:"

	# /proc/net/tcp: the uid column of the listener on $addr:80.
	owner=$(python3 -c '
import socket, sys
want = "%08X:0050" % int.from_bytes(socket.inet_aton(sys.argv[1]), "little")
for line in open("/proc/net/tcp").readlines()[1:]:
    f = line.split()
    if f[1] == want:
        print(f[7])
' "$addr")
	out="owner uid $owner"
	check "as the unit runs it: the socket is owned by nobody (setfsuid without root)" \
		eval '[ "$owner" = 65534 ]'

	run "${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_INET:SOCK_RAW:IPPROTO_ICMP -- \
		python3 -c 'import socket; s = socket.socket(fileno=3); assert s.type == socket.SOCK_RAW; print("raw")'
	check "as the unit runs it: nobody gets a raw ICMP socket (CAP_NET_RAW, ambient)" \
		eval 'status_is 0 && [ "$out" = raw ]'

	# A unit: rule: the client's cgroup read through /proc as
	# ProtectProc=invisible shows it, with the client's identity.
	cgroot=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n 1)
	cg=$cgroot/sbtest-systemd.slice/sbtest-s.service
	packet_as_nobody() {
		sh -c '[ -z "$0" ] || echo 0 >"$0/cgroup.procs" || exit 99; exec "$@"' "$1" \
			"${nobody[@]}" "$ctl" --socket="$sock" run --socket=AF_PACKET:SOCK_RAW:ETH_P_ALL -- true
	}
	if [ -n "$cgroot" ] && mkdir -p "$cg" 2>/dev/null; then
		run packet_as_nobody "$cg"
		in_unit=$status
		run packet_as_nobody ""
		out="in the unit: status $in_unit, outside: status $status"
		check "as the unit runs it: a unit: rule grants the unit's clients alone" \
			eval '[ "$in_unit" = 0 ] && [ "$status" != 0 ]'
		rmdir "$cg" "${cg%/*}" 2>/dev/null
	else
		skip "as the unit runs it: unit" "no writable cgroup2 hierarchy here"
	fi

	out="uid=$(awk '$1 == "Uid:" {print $2}' /proc/$unit_pid/status) eff=$(cap_line CapEff $unit_pid) amb=$(cap_line CapAmb $unit_pid) nnp=$(cap_line NoNewPrivs $unit_pid)"
	status=0
	check "as the unit runs it: non-root, the six capabilities, no_new_privs" \
		eval '[ "$out" = "uid=$svc_uid eff=0000000000003cc0 amb=0000000000000000 nnp=1" ]'

	run "$ctl" --socket="$sock" list --json
	check "as the unit runs it: list sees nobody's grant through ProtectProc=invisible" \
		python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [(g["pid"], g["uid"], g["comm"]) for g in d["grants"]] == [(int(sys.argv[2]), 65534, "sockbrokerctl")], d
' "$out" "$holder_pid"

	wait_for 5 grep -qx READY=1 "$ro_notify_log"
	out=$(cat "$ro_notify_log")
	status=0
	check "as the unit runs it: sd_notify reaches NOTIFY_SOCKET on a read-only mount" \
		eval 'has "^READY=1$" && has "^STATUS=Serving, 4 policy rule"'

	run "$ctl" --socket="$sock" reload
	check "as the unit runs it: root's sockbrokerctl reload (ExecReload=+)" \
		eval 'status_is 0 && has "^Policy reloaded: +4 rule"'
	kill -HUP "$unit_pid"
	run "$ctl" --socket="$sock" status
	kill "$holder_pid"
	kill "$unit_pid"
	wait_for 5 eval '! kill -0 "$unit_pid" 2>/dev/null'

	if [ -z "$tracer" ]; then
		skip "as the unit runs it: every system call is allowed by SystemCallFilter=" \
			"strace is not installed"
	else
		# The unit's filter: an allow list, then removals (~) and
		# additions, in order, as systemd applies them.
		expand() {
			local x
			for x in "$@"; do
				case $x in
				@*) expand $(systemd-analyze syscall-filter "$x" | awk 'NR > 1 && !/^ *#/ {print $1}') ;;
				*) echo "$x" ;;
				esac
			done
		}
		: >"$dir/allowed"
		while read -r line; do
			if [ "${line#\~}" != "$line" ]; then
				expand ${line#\~} | sort -u >"$dir/remove"
				sort -u "$dir/allowed" | comm -23 - "$dir/remove" >"$dir/allowed.new"
				mv "$dir/allowed.new" "$dir/allowed"
			else
				expand $line >>"$dir/allowed"
			fi
		done < <(unit_value_all "$service" SystemCallFilter)
		sort -u -o "$dir/allowed" "$dir/allowed"
		# What the daemon called after it was executed.
		awk '/execve\("[^"]*\/sockbrokerd"/ {on = 1; next} on {print $2}' "$dir/trace" |
			sed -n 's/^\([a-z0-9_]*\)(.*/\1/p' | sort -u >"$dir/used"
		out="used: $(wc -l <"$dir/used"); not allowed: $(comm -23 "$dir/used" "$dir/allowed" | tr '\n' ' ')"
		status=0
		check "as the unit runs it: every system call is allowed by SystemCallFilter=" \
			eval '[ -s "$dir/used" ] && [ -s "$dir/allowed" ] && [ -z "$(comm -23 "$dir/used" "$dir/allowed")" ]'
	fi
fi

echo "1..$n"
