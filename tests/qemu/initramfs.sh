# Sourced by bash (host side): helpers that build a guest's initramfs from
# this host's own files: busybox-static, programs with the libraries `ldd`
# names, and modules of Debian's kernel with their dependencies resolved
# through modules.dep. Used by tests/nested/ and the QEMU vhost-user test.
#
#   root=$(initramfs_new)                      # temp dir with /bin/busybox and the usual dirs
#   initramfs_add_program "$root" /usr/sbin/ip /sbin/ip-full
#   initramfs_add_modules "$root" "$kver" /modules 8021q virtio_net
#   initramfs_pack "$root" out.cpio.gz; rm -rf "$root"

# initramfs_new: prints a new temporary root holding busybox and the
# directories an /init expects to mount on. The caller removes it.
initramfs_new() {
  [ -x /bin/busybox ] || { echo "initramfs: /bin/busybox missing (apt-get install busybox-static)" >&2; return 1; }
  local root
  root=$(mktemp -d /tmp/strata-initramfs.XXXXXX) || return 1
  mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,var/run,etc}
  cp /bin/busybox "$root/bin/busybox"
  echo "$root"
}

# initramfs_copy_libs ROOT FILE...: copies each ELF file's libraries (as
# ldd resolves them, loader included) to the same paths under ROOT.
initramfs_copy_libs() {
  local root=$1 f lib
  shift
  for f in "$@"; do
    ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
      while read -r lib; do
        [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
      done
  done
}

# initramfs_add_program ROOT FILE DEST [strip]: FILE at DEST inside ROOT with
# its libraries; "strip" drops the debug info (most of a build's size).
initramfs_add_program() {
  local root=$1 file=$2 dest=$3
  mkdir -p "$root$(dirname "$dest")"
  if [ "${4:-}" = strip ]; then
    strip -o "$root$dest" "$file"
  else
    cp -L "$file" "$root$dest"
  fi
  initramfs_copy_libs "$root" "$file"
}

# initramfs_module_order KVER MODULE...: the .ko files (paths below
# /lib/modules/KVER) to insmod for MODULEs, dependencies first, each once,
# as modules.dep says. A module built into the kernel prints nothing; one
# that is neither modular nor built in is an error naming it.
initramfs_module_order() {
  local kver=$1
  shift
  local dir=/lib/modules/$kver
  [ -r "$dir/modules.dep" ] || { echo "initramfs: $dir/modules.dep missing (apt-get install linux-image-amd64)" >&2; return 1; }
  awk -v want="$*" -v builtin="$dir/modules.builtin" '
    function modname(path,   n) { n = path; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); return n }
    BEGIN {
      while ((getline line < builtin) > 0) built[modname(line)] = 1
    }
    {
      path = $1; sub(/:$/, "", path)
      deps[modname(path)] = path
      # modules.dep lists every dependency, the one to load first last.
      list[modname(path)] = ""
      for (i = NF; i >= 2; i--) list[modname(path)] = list[modname(path)] " " $i
    }
    END {
      n = split(want, ws, " ")
      for (w = 1; w <= n; w++) {
        m = ws[w]; gsub(/-/, "_", m)
        if (!(m in deps)) {
          if (m in built) continue
          printf "initramfs: kernel module %s is neither in modules.dep nor built in\n", ws[w] > "/dev/stderr"
          failed = 1; continue
        }
        k = split(list[m] " " deps[m], ps, " ")
        for (i = 1; i <= k; i++) if (ps[i] != "" && !(ps[i] in seen)) { seen[ps[i]] = 1; print ps[i] }
      }
      exit failed
    }' "$dir/modules.dep"
}

# initramfs_add_modules ROOT KVER DIR MODULE...: copies MODULEs and their
# dependencies into ROOT/DIR and writes ROOT/DIR/load-order, the file names
# in the order to insmod them (see initramfs_load_modules in guest_init.sh).
initramfs_add_modules() {
  local root=$1 kver=$2 dir=$3 order ko
  shift 3
  order=$(initramfs_module_order "$kver" "$@") || return 1
  mkdir -p "$root$dir"
  : > "$root$dir/load-order"
  for ko in $order; do
    cp "/lib/modules/$kver/$ko" "$root$dir/"
    basename "$ko" >> "$root$dir/load-order"
  done
}

# initramfs_pack ROOT OUT: ROOT as a gzip'd newc cpio archive.
initramfs_pack() {
  (cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"
}
