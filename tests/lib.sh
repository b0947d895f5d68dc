# SPDX-License-Identifier: LGPL-2.1-or-later
# What the bash suites share (sourced by check-ctl.sh and check-systemd.sh):
# TAP reporting, checks on the last command run, polling, and a client
# that holds a brokered socket as nobody. A suite defines run(), which
# sets $status and $out (and keeps stderr in $stderr_file, if it sets
# that), and prints the plan "1..$n" at its end.

# skip_all REASON: skip the whole suite.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# need_tools TOOL...: skip the suite unless every tool is installed.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip_all "$tool is not installed"
	done
}

# private_netns ARG...: as root, run this suite again in a network
# namespace of its own with its loopback up (the arguments are the
# suite's own), so that what it binds and sends meets nothing on the
# machine's ports; nothing when that is impossible.
private_netns() {
	if [ "$(id -u)" -eq 0 ] && [ -z "${SB_SUITE_NETNS:-}" ] && [ "${SB_VM:-}" != 1 ] &&
		command -v unshare >/dev/null && unshare --net true 2>/dev/null; then
		SB_SUITE_NETNS=1 exec unshare --net -- "$0" "$@"
	fi
	if [ -n "${SB_SUITE_NETNS:-}" ]; then
		ip link set lo up 2>/dev/null || skip_all "cannot bring up the namespace's loopback"
	fi
}

# stage_for_nobody DIR FILE...: copy build-tree files into DIR (which
# nobody may enter) for nobody to run: the build tree may sit below a
# directory only root may enter (a checkout in a mode 0700 directory).
stage_for_nobody() {
	local dir=$1 f
	shift
	for f in "$@"; do
		cp "$f" "$dir/" && chmod a+rX "$dir/${f##*/}" || return 1
	done
}

# nginx_conf DIR ROOT [DIRECTIVE]: DIR/nginx.conf for an unprivileged nginx
# in the foreground, its files under DIR (DIR/tmp writable by nobody),
# serving ROOT on 127.0.0.1:80; DIRECTIVE (e.g. "master_process off;")
# goes at the top.
nginx_conf() {
	mkdir -p "$1/tmp" && chown nobody "$1/tmp" "$1" || return 1
	cat >"$1/nginx.conf" <<EOF
daemon off;
${3:-}
pid $1/nginx.pid;
error_log stderr;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $1/tmp;
	proxy_temp_path $1/tmp;
	fastcgi_temp_path $1/tmp;
	uwsgi_temp_path $1/tmp;
	scgi_temp_path $1/tmp;
	server { listen 127.0.0.1:80; root $2; }
}
EOF
}

n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

# skip NAME REASON
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# not_ok NAME: report the last command's exit status and output.
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	echo "# exit status: $status"
	sed 's/^/# output: /' <<<"$out" | head -40
	if [ -n "${stderr_file:-}" ]; then
		sed 's/^/# stderr: /' "$stderr_file" | head -20
	fi
}

# check NAME CONDITION...: ok when the condition (a command) succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

has() { grep -qE -- "$1" <<<"$out"; }
status_is() { [ "$status" -eq "$1" ]; }

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	local tries=$(($1 * 20))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)

# hold_socket CTL BROKER SPEC [SLEEP]: as nobody, CTL (sockbrokerctl)
# runs sleep (or SLEEP, a link to it) holding the socket SPEC from the
# broker at BROKER. Sets $holder_pid, the process that becomes sleep, and
# returns once it has (1 when it has not within 5 s).
holder_is_sleep() { [ "$(readlink "/proc/$holder_pid/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ]; }
hold_socket() {
	"${nobody[@]}" "$1" --socket="$2" run --socket="$3" -- "${4:-sleep}" 30 &
	holder_pid=$!
	wait_for 5 holder_is_sleep
}
# release_socket: end the holder and wait for it.
release_socket() {
	kill "$holder_pid"
	wait "$holder_pid" 2>/dev/null
	holder_pid=
}
