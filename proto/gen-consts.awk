# SPDX-License-Identifier: LGPL-2.1-or-later
# Turn consts.list into the initialisers of the constant table. Each entry
# is wrapped in #ifdef so only what the system headers define is compiled
# in; a malformed line fails the build with file:line.

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

BEGIN {
	print "/* Generated from proto/consts.list by proto/gen-consts.awk: do not edit. */"
}

/^[ \t]*(#|$)/ {
	next
}

{
	if (NF < 2 || NF > 3)
		fail("expected \"GROUP NAME [GUARD]\"")
	if ($1 !~ /^[A-Z][A-Z0-9_]*$/)
		fail("bad group \"" $1 "\"")
	if ($2 !~ /^[A-Za-z_][A-Za-z0-9_]*$/)
		fail("bad name \"" $2 "\"")
	guard = NF == 3 ? $3 : $2
	if (guard !~ /^[A-Za-z_][A-Za-z0-9_]*$/)
		fail("bad guard \"" guard "\"")
	key = $1 " " $2
	if (key in seen)
		fail("\"" $2 "\" listed twice in group " $1 " (first at line " seen[key] ")")
	seen[key] = FNR
	printf "#ifdef %s\n\t{ SB_C_%s, \"%s\", (int64_t)(%s) },\n#endif\n", guard, $1, $2, $2
}

END {
	if (failed)
		exit 1
}
