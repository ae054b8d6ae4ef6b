/**
 * Initramfs preparation on the host: a gzip-compressed cpio archive is handed
 * to the kernel inflated, which spares the guest the inflate (about 40% of the
 * bundled guest's boot instructions). Linux accepts compressed and plain
 * archives alike (init/initramfs.c), so the guest's view is the same files.
 * Only a file that is one gzip member holding a "newc" cpio archive is
 * inflated; anything else (several members, concatenated archives such as an
 * early microcode cpio, other compressions) is passed through untouched.
 */
import { gunzipSync } from 'fflate';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as in the gzip trailer). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function isNewcCpio(b: Uint8Array): boolean {
  const m = String.fromCharCode(...b.subarray(0, 6));
  return m === '070701' || m === '070702';
}

/** The initrd to place in RAM: inflated when it is a single gzip member holding a newc cpio. */
export function prepareInitrd(initrd: Uint8Array): { data: Uint8Array; inflated: boolean } {
  if (initrd.length < 18 || initrd[0] !== 0x1f || initrd[1] !== 0x8b) return { data: initrd, inflated: false };
  let out: Uint8Array;
  try {
    out = gunzipSync(initrd);
  } catch {
    return { data: initrd, inflated: false }; // let the kernel report it
  }
  // The file's last 8 bytes are the trailer of its last member: when they match what the
  // first member inflated to, that member is the whole file.
  const dv = new DataView(initrd.buffer, initrd.byteOffset, initrd.byteLength);
  const crc = dv.getUint32(initrd.length - 8, true), isize = dv.getUint32(initrd.length - 4, true);
  if (isize !== out.length >>> 0 || crc !== crc32(out) || !isNewcCpio(out)) return { data: initrd, inflated: false };
  return { data: out, inflated: true };
}
