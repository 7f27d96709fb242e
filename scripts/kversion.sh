# Kernel version helpers, sourced by scripts/ksrc.sh and scripts/debug-kernel.sh.

# kversion MAKEFILE: "VERSION.PATCHLEVEL.SUBLEVEL" of a kernel tree's Makefile.
kversion() {
	awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
	     /^SUBLEVEL =/ { s = $3; print v "." p "." s; exit }' "$1"
}

# headers_kversion HEADERS_DIR: the version of a Debian headers tree.  The
# arch headers directory includes the common one's Makefile.
headers_kversion() {
	local common
	common=$(sed -n 's|^include \(/usr/src/linux-headers-[^/]*-common\)/Makefile$|\1|p' \
		"$1/Makefile" | head -n1)
	kversion "${common:-$1}/Makefile"
}
