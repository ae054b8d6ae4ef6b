#!/usr/bin/env bash
# Builds the bundled guest from Debian 12 packages: Linux 6.1 (linux-source-6.1,
# tinyconfig + guests/linux/vmxlab.config) and a busybox-static initramfs.
# Writes public/guests/{bzImage,initramfs.cpio.gz,System.map.gz,manifest.json}.
#
#   bash guests/build.sh [--check-reproducible]
#
# Scratch files go to $VMXLAB_BUILD_DIR (default .cache/guest-build, gitignored);
# the kernel tree there is reused, so a second run only rebuilds what changed.
# --check-reproducible also builds everything a second time from scratch in
# another directory and records in the manifest whether the bytes match.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
guests=$repo/guests
out=$repo/public/guests
build=${VMXLAB_BUILD_DIR:-$repo/.cache/guest-build}
fragment=$guests/linux/vmxlab.config
tarball=/usr/src/linux-source-6.1.tar.xz
cmdline='console=ttyS0 earlyprintk=serial,ttyS0,115200'
jobs=${VMXLAB_JOBS:-2}

check_repro=0
for arg in "$@"; do
  case $arg in
    --check-reproducible) check_repro=1 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "guests/build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

start=$(date +%s)
log() { echo "guests: $*" >&2; }

# --- system packages -------------------------------------------------------
pkgs=(linux-source-6.1 busybox-static cpio flex bison bc libelf-dev libssl-dev
      xz-utils gcc make)
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with:  sudo apt-get update && sudo $cmd"
    exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  $cmd >/dev/null
fi
command -v node >/dev/null || { log "node is needed to write the manifest"; exit 1; }

pkgver() { dpkg-query -W -f='${Version}' "$1"; }
srcver=$(pkgver linux-source-6.1)

# Every timestamp in the outputs derives from the kernel source package's
# changelog date, so the same inputs give the same bytes.
# (No `| head` under pipefail: an early-closed pipe would fail the build.)
trailers=$(zcat /usr/share/doc/linux-source-6.1/changelog.Debian.gz | sed -n 's/^ -- .*>  //p')
epoch=$(date -u -d "${trailers%%$'\n'*}" +%s)
export SOURCE_DATE_EPOCH=$epoch
export KBUILD_BUILD_TIMESTAMP
KBUILD_BUILD_TIMESTAMP=$(date -u -d "@$epoch" '+%a %b %e %H:%M:%S UTC %Y')
export KBUILD_BUILD_USER=vmxlab KBUILD_BUILD_HOST=vmxlab KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC

# --- kernel config check -------------------------------------------------------
# Every option the fragment names must hold in the final .config: "=value"
# exactly, "is not set" as absent or unset. Kconfig silently drops options
# whose dependencies are missing; this turns that into a build failure.
check_config() {
  local config=$1 bad=0 line sym
  while IFS= read -r line; do
    case $line in
      CONFIG_*=*)
        grep -qxF -- "$line" "$config" || {
          log "config: want $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo absent)"
          bad=1; } ;;
      "# CONFIG_"*" is not set")
        sym=${line#\# }; sym=${sym%% *}
        ! grep -q "^$sym=" "$config" || {
          log "config: want $sym off, got: $(grep "^$sym=" "$config")"; bad=1; } ;;
    esac
  done < "$fragment"
  return $bad
}

# --- one complete build into $1/out -------------------------------------------
build_all() {
  local dir=$1 src=$1/linux-source-6.1
  mkdir -p "$dir/out"
  if [ "$(cat "$src/.vmxlab-source" 2>/dev/null)" != "$srcver" ]; then
    log "extracting $tarball ($srcver) into $dir"
    rm -rf "$src"
    tar -C "$dir" -xf "$tarball"
    echo "$srcver" > "$src/.vmxlab-source"
  fi

  log "configuring: tinyconfig + ${fragment#"$repo"/}"
  make -C "$src" -s tinyconfig >/dev/null
  (cd "$src" && scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
  make -C "$src" -s olddefconfig
  check_config "$src/.config" || { log "kernel config lost required options"; exit 1; }

  log "building bzImage (make -j$jobs) in $src"
  make -C "$src" -s -j"$jobs" bzImage
  cp "$src/arch/x86/boot/bzImage" "$dir/out/bzImage"
  gzip -n -9 < "$src/System.map" > "$dir/out/System.map.gz"
  make -C "$src" -s kernelrelease > "$dir/out/kernelrelease"

  build_initramfs "$src/usr/gen_init_cpio" "$dir"
}

# The kernel's own gen_init_cpio writes newc from an explicit spec: sorted
# entries, owner root, fixed mtime, and device nodes without being root.
# (-t covers dirs, nodes and links; regular files keep their own mtime, so
# they are staged as copies stamped with $SOURCE_DATE_EPOCH.)
build_initramfs() {
  local gen=$1 dir=$2 spec=$2/initramfs.spec stage=$2/initramfs-files
  rm -rf "$stage"
  mkdir -p "$stage"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/passwd"
  printf 'root:x:0:\n' > "$stage/group"
  cp "$guests/initramfs/init" "$stage/init"
  cp /bin/busybox "$stage/busybox"
  touch -d "@$epoch" "$stage"/*
  local applets
  applets=$(/bin/busybox --list-full | grep / | grep -vx 'bin/busybox' | sort -u)
  {
    { printf '%s\n' bin sbin usr usr/bin usr/sbin etc dev proc sys root
      printf '%s\n' "$applets" | xargs -n1 dirname; } |
      sort -u | grep -vx . | sed 's|^\(.*\)$|dir /\1 0755 0 0|'
    echo "dir /tmp 1777 0 0"
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "file /init $stage/init 0755 0 0"
    echo "file /bin/busybox $stage/busybox 0755 0 0"
    echo "file /etc/passwd $stage/passwd 0644 0 0"
    echo "file /etc/group $stage/group 0644 0 0"
    printf '%s\n' "$applets" | sed 's|^\(.*\)$|slink /\1 /bin/busybox 0777 0 0|'
  } > "$spec"
  "$gen" -t "$epoch" "$spec" | gzip -n -9 > "$dir/out/initramfs.cpio.gz"
}

build_all "$build"
files=(bzImage initramfs.cpio.gz System.map.gz)
mkdir -p "$out"
for f in "${files[@]}"; do cp "$build/out/$f" "$out/$f"; done

repro_result=unchecked  # this run; an earlier verdict for the same bytes is kept
if [ $check_repro -eq 1 ]; then
  second=$build/repro
  log "reproducibility: second clean build in $second"
  rm -rf "$second"
  build_all "$second"
  repro_result=identical
  for f in "${files[@]}"; do
    if ! cmp -s "$build/out/$f" "$second/out/$f"; then
      log "reproducibility: $f differs"
      repro_result=different
    fi
  done
  log "reproducibility: $repro_result"
  rm -rf "$second"
fi

build_cmd="npm run guests"
[ $check_repro -eq 1 ] && build_cmd="npm run guests -- --check-reproducible"
VMXLAB_OUT=$out VMXLAB_CMDLINE=$cmdline VMXLAB_REPRO=$repro_result \
VMXLAB_BUILD_CMD=$build_cmd \
VMXLAB_KERNEL_RELEASE=$(cat "$build/out/kernelrelease") \
VMXLAB_KERNEL_VERSION=$(make -C "$build/linux-source-6.1" -s kernelversion) \
VMXLAB_BUSYBOX_VERSION=$(/bin/busybox | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p') \
VMXLAB_PACKAGES=$(for p in linux-source-6.1 busybox-static gcc-12 binutils gzip; do
                    printf '%s=%s\n' "$p" "$(pkgver "$p")"; done) \
  node "$guests/manifest.mjs"

ls -l "${files[@]/#/$out/}" "$out/manifest.json" >&2
log "done in $(( $(date +%s) - start )) s (reproducibility in this run: $repro_result)"
