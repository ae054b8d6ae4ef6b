#!/usr/bin/env bash
# Makes sure the Debian packages the tests need are installed: Chromium (for
# Playwright; never a downloaded browser), QEMU (the reference machine), nasm,
# gcc and binutils (bare-metal test programs). As root it installs what is
# missing; otherwise it prints the exact command and fails.
set -euo pipefail

declare -A need=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/qemu-system-x86_64]=qemu-system-x86
  [/usr/bin/nasm]=nasm
  [/usr/bin/gcc]=gcc
  [/usr/bin/ld]=binutils
  [/usr/bin/cpio]=cpio
)
missing=()
for bin in "${!need[@]}"; do
  [ -x "$bin" ] || missing+=("${need[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "vmxlab: missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "vmxlab: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
$cmd >/dev/null
