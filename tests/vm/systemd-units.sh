#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Inside the test VM booted with systemd as PID 1 (tests/vm/check-vm-
# systemd.sh, run-in-vm --systemd --install), with sockbroker installed as
# `make install` puts it: the daemon as admins run it, through its real
# units, each check asserting on what systemd, the kernel or the journal
# report. Prints TAP.
# shellcheck disable=SC2016 # eval'd conditions expand when they run
set -u
here=$(cd -- "$(dirname -- "$0")" && pwd -P)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
ctl=/usr/bin/sockbrokerctl
policy=/etc/sockbroker/policy.conf
sock=/run/sockbroker/sockbroker.sock
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
# The unit's capabilities, as setpriv spells them, and as the kernel's
# mask: CAP_SETGID 6, CAP_SETUID 7, CAP_NET_BIND_SERVICE 10,
# CAP_NET_BROADCAST 11, CAP_NET_ADMIN 12, CAP_NET_RAW 13.
unit_caps=+net_raw,+net_admin,+net_broadcast,+net_bind_service,+setuid,+setgid
unit_mask=0000000000003cc0
unit_names="CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_SETGID CAP_SETUID"

if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ]; then
	skip_all "systemd is not PID 1: not in the test VM's systemd mode"
fi
need_tools systemctl journalctl systemd-analyze systemd-run nsenter setpriv python3 "$ctl"
echo "# systemd reached the test at $(cut -d' ' -f1 /proc/uptime) s of uptime"

# A diagnostic line: where the time goes under emulation.
section() {
	echo "# $1: at $(cut -d' ' -f1 /proc/uptime) s of uptime"
}

run() {
	out=$("$@" 2>&1)
	status=$?
}

# show UNIT PROPERTY: the value systemd reports.
show() {
	systemctl show -p "$2" --value "$1"
}

# The journal of this boot, one line per record, without the kernel's.
journal() {
	journalctl -b -q --no-pager -o short-monotonic "$@"
}

# --------------------------------------------------- sysusers.d, tmpfiles.d
section "sysusers.d, tmpfiles.d"
run getent passwd sockbroker
check "sysusers: the account sockbroker is a system user without a shell" python3 -c '
import sys
name, _, uid, gid, gecos, home, shell = sys.argv[1].split(":")
assert name == "sockbroker" and 0 < int(uid) < 1000 and shell.endswith("nologin"), sys.argv[1]
' "$out"
run journal -u systemd-sysusers.service
check "sysusers: systemd-sysusers.service created it at this boot" \
	eval '[ "$(show systemd-sysusers.service Result)" = success ] && has "Creating user .?sockbroker"'

# Before anything of sockbroker ran: only tmpfiles made these.
run stat -c '%n %a %U %G' /run/sockbroker /etc/sockbroker /etc/sockbroker/policy.d
check "tmpfiles: /run/sockbroker, /etc/sockbroker and its policy.d, 0755 root" \
	eval 'status_is 0 && [ "$(grep -c " 755 root root$" <<<"$out")" = 3 ]'

# --------------------------------------------------- socket activation
section "socket activation"
printf '%s\n' \
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM" \
	"allow user:nobody bind family=AF_INET port=80" \
	"deny user:nobody socket family=AF_INET type=SOCK_RAW" >"$policy"
chmod 644 "$policy"
systemctl start sockbrokerd.socket
out="socket: $(show sockbrokerd.socket ActiveState); service: $(show sockbrokerd.service ActiveState) $(show sockbrokerd.service MainPID); $(stat -c '%F %a %U' "$sock" 2>&1)"
status=0
check "socket activation: the socket listens 0666, the daemon is not running" \
	eval '[ "$out" = "socket: active; service: inactive 0; socket 666 root" ]'

run "$ctl" status
check "socket activation: the first client starts the daemon and is served" \
	eval 'status_is 0 && has "^Policy rules: +3$"'
pid=$(show sockbrokerd.service MainPID)
out="$(show sockbrokerd.service ActiveState)/$(show sockbrokerd.service SubState) MainPID=$pid $(cat "/proc/$pid/comm" 2>&1)"
check "socket activation: systemctl show: active/running, MainPID is sockbrokerd" \
	eval '[ "$out" = "active/running MainPID=$pid sockbrokerd" ] && [ "$pid" -gt 0 ]'
run journal -u sockbrokerd.service
check "socket activation: the daemon serves the descriptor systemd passed" \
	has "serving on socket-activated descriptors"

# --------------------------------------------------- Type=notify
section "Type=notify"
# systemd says "Started" only when READY=1 arrives, which the daemon sends
# once it serves: its own line comes first.
out="$(show sockbrokerd.service Type) $(show sockbrokerd.service NotifyAccess) $(show sockbrokerd.service StatusText)"
status=0
check "Type=notify: the status text is the one sent with READY=1" \
	eval '[ "$out" = "notify main Serving, 3 policy rule(s)" ]'
run journal _PID=1 + _SYSTEMD_UNIT=sockbrokerd.service
check "Type=notify: systemd reports the unit started after the daemon serves" awk '
	/serving on socket-activated descriptors/ && !serving { serving = NR }
	/Started sockbrokerd.service/ && !started { started = NR }
	END { exit !(serving && started > serving) }' <<<"$out"

# --------------------------------------------------- the sandbox as applied
section "the sandbox as applied"
uid=$(id -u sockbroker)
gid=$(id -g sockbroker)
# A line of /proc/PID/status, its values separated by spaces.
cap_line() { awk -v k="$1:" '$1 == k {$1 = ""; print substr($0, 2)}' "/proc/$pid/status"; }
out="uid=$(cap_line Uid) gid=$(cap_line Gid) eff=$(cap_line CapEff) prm=$(cap_line CapPrm) bnd=$(cap_line CapBnd) nnp=$(cap_line NoNewPrivs) seccomp=$(cap_line Seccomp)"
status=0
check "sandbox: runs as sockbroker with exactly the unit's capabilities, no_new_privs, seccomp" \
	eval '[ "$out" = "uid=$uid $uid $uid $uid gid=$gid $gid $gid $gid eff=$unit_mask prm=$unit_mask bnd=$unit_mask nnp=1 seccomp=2" ]'
caps_of() { show sockbrokerd.service "$1" | tr ' a-z' '\nA-Z' | sort | xargs; }
out="$(caps_of CapabilityBoundingSet) / $(caps_of AmbientCapabilities)"
check "sandbox: systemd's view: bounding and ambient sets are the six listed" \
	eval '[ "$out" = "$unit_names / $unit_names" ]'

# A process with the daemon's uid, gid and capabilities tries to create a
# file in each directory with fsuid 0 (CAP_SETUID lets it, as it lets the
# daemon act as its clients): it reports what it created and each errno.
# shellcheck disable=SC2016 # a python program
probe='
import ctypes, errno, os, sys
libc = ctypes.CDLL(None)
libc.setfsgid(0)
libc.setfsuid(0)
# Each returns the previous value: 0 now if the change took.
assert libc.setfsuid(0) == 0 and libc.setfsgid(0) == 0, "setfsuid(0) refused"
for d in sys.argv[1:]:
    p = os.path.join(d, ".sockbroker-probe")
    try:
        os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(p)
        print(d, "created")
    except OSError as e:
        print(d, errno.errorcode[e.errno])
'
as_daemon=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all,"$unit_caps"
	--ambient-caps=-all,"$unit_caps" --bounding-set=-all,"$unit_caps")
dirs=(/ /etc /etc/sockbroker /etc/systemd/system /usr /var /var/lib /root /home
	/run /run/systemd /run/systemd/system /run/sockbroker /run/log/journal /dev
	/tmp /var/tmp /dev/shm "$SB_VM_RESULTS")
run "${as_daemon[@]}" python3 -c "$probe" /run/systemd /run /etc
check "sandbox: outside it, the daemon's credentials create root's files in /run/systemd" \
	eval 'status_is 0 && [ "$out" = "$(printf "%s created\n" /run/systemd /run /etc)" ]'
run nsenter -t "$pid" -m -- "${as_daemon[@]}" python3 -c "$probe" "${dirs[@]}"
# Only its private /tmp, /var/tmp and /dev/shm: read-only everywhere else;
# ProtectHome= leaves /root and /home without even a way in, and
# PrivateTmp= hides what was under /tmp (the harness's results directory).
want=$(for d in "${dirs[@]}"; do
	case $d in
	/tmp | /var/tmp | /dev/shm) echo "$d created" ;;
	/root | /home) echo "$d EACCES" ;;
	"$SB_VM_RESULTS") echo "$d ENOENT" ;;
	*) echo "$d EROFS" ;;
	esac
done)
check "sandbox: in its mount namespace, with its credentials, read-only but for its private /tmp, /var/tmp, /dev/shm" \
	eval 'status_is 0 && [ "$out" = "$want" ]'
# Every mount it sees: the writable ones are its private ones, kernel
# file systems where nothing can be created, and the harness's results
# directory, which its own /tmp hides (above).
run nsenter -t "$pid" -m -- awk '$6 ~ /^rw/ { for (i = 7; $i != "-"; i++); print $5, $(i + 1) }' /proc/self/mountinfo
bad=$(awk -v res="$SB_VM_RESULTS" '$2 !~ /^(proc|devpts|mqueue)$/ && $1 !~ /^\/(tmp|var\/tmp|dev\/shm)$/ && $1 != res' <<<"$out")
check "sandbox: no writable mount in its namespace but its private ones and kernel file systems" \
	eval 'status_is 0 && [ -n "$out" ] && [ -z "$bad" ]'

run systemd-analyze security --no-pager sockbrokerd.service
exposure=$(sed -n 's/.*Overall exposure level for sockbrokerd.service: \([0-9.]*\).*/\1/p' <<<"$out")
echo "# systemd-analyze security on the running unit: exposure ${exposure:-?}"
check "sandbox: systemd-analyze security on the running unit: exposure ${exposure:-?}, 2.5 or lower" \
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1] or 99) <= 2.5 else 1)' "$exposure"

# --------------------------------------------------- clients and the journal
section "clients and the journal"
# A raw socket: nobody cannot make it, so run asks the broker (a UDP
# socket it would make itself).
run "${nobody[@]}" "$ctl" run --socket=AF_INET:SOCK_RAW:IPPROTO_ICMP -- true
check "journal: nobody's request for a raw ICMP socket is refused" eval '! status_is 0'
# The fields of each record found, one "NAME=value" a line.
denials() {
	journalctl -b -q --no-pager -u sockbrokerd DECISION=deny CLIENT_UID=65534 -o json |
		python3 -c 'import json, sys
for line in sys.stdin:
    for k, v in json.loads(line).items():
        print(f"{k}={v}")'
}
wait_for 10 eval 'denials | grep -q "^RULE="'
out=$(denials)
check "journal: journalctl -u sockbrokerd DECISION=deny CLIENT_UID=65534 finds it with its rule" \
	eval 'has "^RULE=$policy:3$" && has "^METHOD=socket$" && has "^MESSAGE=deny uid=65534 .*\(rule $policy:3\)$"'

# shellcheck disable=SC2016 # a python program
is_tcp='import socket; s = socket.socket(fileno=3); assert s.family == socket.AF_INET and s.type == socket.SOCK_STREAM'
run systemd-run --quiet --wait --pipe -p User=nobody \
	"$ctl" run --socket=AF_INET:SOCK_STREAM -- python3 -c "$is_tcp"
check "clients: one in a transient service (systemd-run -p User=nobody) is served" status_is 0
run "${nobody[@]}" "$ctl" run --socket=AF_INET:SOCK_STREAM -- python3 -c "$is_tcp"
check "clients: one outside any service, as nobody, is served" status_is 0

# --------------------------------------------------- systemctl reload
section "systemctl reload"
echo "allow user:nobody socket family=AF_INET6 type=SOCK_STREAM" >>"$policy"
run systemctl reload sockbrokerd.service
out="$out $(show sockbrokerd.service MainPID) $($ctl status 2>&1 | grep '^Policy rules')"
check "reload: systemctl reload loads a changed policy in the same process" \
	eval 'status_is 0 && has " $pid Policy rules: +4$"'
since=$(date '+%Y-%m-%d %H:%M:%S')
echo "allow user:nobody frobnicate" >>"$policy"
run systemctl reload sockbrokerd.service
check "reload: a broken policy makes systemctl reload fail" eval '! status_is 0'
run journal -u sockbrokerd.service --since "$since"
check "reload: the journal names the broken file and line" has "$policy:5"
out="$(show sockbrokerd.service ActiveState) $(show sockbrokerd.service MainPID) $($ctl status 2>&1 | grep '^Policy rules')"
check "reload: the running policy stays, in the same process" \
	eval 'has "^active $pid Policy rules: +4$"'
sed -i '$d' "$policy"

# --------------------------------------------------- systemctl stop
section "systemctl stop"
# Clients waiting on the stopped daemon when systemctl stop comes: each is
# answered, by this daemon as it finishes or by the next one the socket
# starts.
pid=$(show sockbrokerd.service MainPID)
kill -STOP "$pid"
clients=()
for i in $(seq 8); do
	timeout 90 "${nobody[@]}" "$ctl" run --socket=AF_INET:SOCK_STREAM -- true >/tmp/stop-client.$i 2>&1 &
	clients+=($!)
done
sleep 1
# It warns that the socket can start it again: that is what it is for.
systemctl stop sockbrokerd.service 2>/dev/null
answered=0
for c in "${clients[@]}"; do
	wait "$c" && answered=$((answered + 1))
done
out="$answered of ${#clients[@]} answered; $(cat /tmp/stop-client.* 2>/dev/null)"
status=0
check "stop: every client queued when systemctl stop came is answered" eval '[ "$answered" = 8 ]'
run journal -u sockbrokerd.service _PID="$pid"
check "stop: the stopped daemon finished its replies and exited" has "finishing replies and exiting"

# --------------------------------------------------- the watchdog
section "the watchdog"
run show sockbrokerd.service WatchdogUSec
check "watchdog: the unit's WatchdogSec=30s is in force" eval '[ "$out" = 30s ]'
# 30 s is long under emulation: the same unit with a shorter one, for a
# daemon started with it (a running one keeps pinging every 15 s).
systemctl stop sockbrokerd.service 2>/dev/null
mkdir -p /run/systemd/system/sockbrokerd.service.d
printf '[Service]\nWatchdogSec=6s\n' >/run/systemd/system/sockbrokerd.service.d/50-test-watchdog.conf
systemctl daemon-reload
systemctl start sockbrokerd.service
pid=$(show sockbrokerd.service MainPID)
restarts=$(show sockbrokerd.service NRestarts)
kill -STOP "$pid"
# Queued on the listening socket while the daemon cannot accept.
timeout 90 "$ctl" status >/tmp/watchdog-client.out 2>&1 &
client=$!
restarted() {
	local now
	now=$(show sockbrokerd.service MainPID)
	[ "$now" != 0 ] && [ "$now" != "$pid" ] && [ "$(show sockbrokerd.service ActiveState)" = active ]
}
wait_for 60 restarted
out="NRestarts $restarts -> $(show sockbrokerd.service NRestarts); MainPID $pid -> $(show sockbrokerd.service MainPID)"
check "watchdog: systemd kills the stopped daemon and starts another ($out)" \
	eval 'restarted && [ "$(show sockbrokerd.service NRestarts)" -gt "$restarts" ]'
run journal -u sockbrokerd.service
check "watchdog: the journal says why" has "sockbrokerd.service: Watchdog timeout"
wait "$client"
status=$?
out=$(cat /tmp/watchdog-client.out)
check "watchdog: the client queued meanwhile is served by the new daemon" \
	eval 'status_is 0 && has "^Policy rules: +4$"'

# --------------------------------------------------- unit:
# A system service's unit, as systemd made its cgroup, decides: the same
# program as nobody gets a raw ICMP socket inside the transient service
# the rule names, and not outside it.
section "unit:"
echo "allow unit:sbtest-client.service socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP" >>"$policy"
systemctl reload sockbrokerd.service
# shellcheck disable=SC2016 # a python program
is_raw='import socket; s = socket.socket(fileno=3); assert s.type == socket.SOCK_RAW'
run systemd-run --quiet --wait --pipe --unit=sbtest-client -p User=nobody \
	"$ctl" run --socket=AF_INET:SOCK_RAW:IPPROTO_ICMP -- python3 -c "$is_raw"
check "unit: a client in the service a unit: rule names gets what the rule allows" status_is 0
run systemd-run --quiet --wait --pipe --unit=sbtest-other -p User=nobody \
	"$ctl" run --socket=AF_INET:SOCK_RAW:IPPROTO_ICMP -- python3 -c "$is_raw"
check "unit: the same client in another service is refused" eval '! status_is 0'
run "${nobody[@]}" "$ctl" run --socket=AF_INET:SOCK_RAW:IPPROTO_ICMP -- python3 -c "$is_raw"
check "unit: and outside any service" eval '! status_is 0'

section "done"
echo "1..$n"
