# Turn Varlink interface description files into a C table of
# { interface name, text } (see proto/idl.h).
BEGIN {
	print "/* Generated from the .varlink files by gen-idl.awk. Do not edit. */"
	print "#include \"proto/idl.h\""
	print "const struct sb_idl sb_idl_table[] = {"
}
FNR == 1 {
	if (NR != 1)
		print "\t},"
	name = FILENAME
	sub(/.*\//, "", name)
	sub(/\.varlink$/, "", name)
	printf "\t{\n\t\t\"%s\",\n", name
}
{
	line = $0
	gsub(/\\/, "\\\\", line)
	gsub(/"/, "\\\"", line)
	gsub(/\t/, "\\t", line)
	printf "\t\t\"%s\\n\"\n", line
}
END {
	print "\t},"
	print "\t{ 0, 0 },"
	print "};"
}
