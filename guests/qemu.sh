#!/usr/bin/env bash
# Boots the bundled guest (public/guests) under Debian's QEMU with TCG: the
# reference machine vmxlab is compared against. The serial console is this
# terminal; Ctrl-A X quits, Ctrl-A C toggles the QEMU monitor. Extra arguments
# go to QEMU unchanged (e.g. -d int, -s -S for gdb). For SMP give one CPU per
# socket, -smp 2,sockets=2: the guest has no ACPI, and SeaBIOS's MP table lists
# only the first logical CPU of each package (plain -smp 2 boots one CPU).
#
#   bash guests/qemu.sh [qemu args...]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$repo/public/guests
qemu=/usr/bin/qemu-system-x86_64

if [ ! -x "$qemu" ]; then
  cmd="apt-get install -y --no-install-recommends qemu-system-x86"
  if [ "$(id -u)" -ne 0 ]; then
    echo "guests/qemu.sh: QEMU is missing; install it with:  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd >/dev/null
fi
for f in bzImage initramfs.cpio.gz manifest.json; do
  [ -f "$dir/$f" ] || { echo "guests/qemu.sh: $dir/$f is missing (npm run guests)" >&2; exit 1; }
done

cmdline=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).cmdline' "$dir/manifest.json")

exec "$qemu" -accel tcg -nographic -serial mon:stdio -no-reboot -m 256M \
  -kernel "$dir/bzImage" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" "$@"
