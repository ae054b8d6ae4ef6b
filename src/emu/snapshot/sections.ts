/**
 * The state chunk: named, individually versioned binary records (as in Bochs's
 * save/restore tree, not v86's positional array). Layout, little-endian:
 *
 *   u32 count, then per section: u8 nameLength, name (ASCII), u16 version, u32 length, bytes
 *
 * Decoding checks every length against the buffer, so a truncated or garbled
 * chunk is an error here, before any section reaches a device.
 */
import { SnapshotError } from './manifest.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';

export interface Section {
  name: string;
  version: number;
  data: Uint8Array;
}

export function encodeSections(sections: readonly Section[]): Uint8Array {
    const names = sections.map((s) => utf8Encode(s.name));
  let size = 4;
  sections.forEach((s, i) => {
    if (names[i].length === 0 || names[i].length > 255) throw new Error(`section name '${s.name}' must be 1..255 bytes`);
    size += 1 + names[i].length + 2 + 4 + s.data.length;
  });
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sections.length, true);
  let off = 4;
  sections.forEach((s, i) => {
    out[off++] = names[i].length;
    out.set(names[i], off);
    off += names[i].length;
    dv.setUint16(off, s.version, true);
    dv.setUint32(off + 2, s.data.length, true);
    off += 6;
    out.set(s.data, off);
    off += s.data.length;
  });
  return out;
}

/** Decodes the sections into a map by name; refuses truncation, trailing bytes and repeated names. */
export function decodeSections(bytes: Uint8Array): Map<string, Section> {
  const bad = (msg: string): never => {
    throw new SnapshotError(`corrupt snapshot state: ${msg}`);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) bad('too short');
  const count = dv.getUint32(0, true);
  const out = new Map<string, Section>();
    let off = 4;
  for (let i = 0; i < count; i++) {
    if (off + 1 > bytes.length) bad(`section ${i} is cut off`);
    const n = bytes[off++];
    if (n === 0 || off + n + 6 > bytes.length) bad(`section ${i} header is cut off`);
    let name = '';
    try {
      name = utf8Decode(bytes.subarray(off, off + n));
    } catch {
      bad(`section ${i} name is not text`);
    }
    off += n;
    const version = dv.getUint16(off, true);
    const len = dv.getUint32(off + 2, true);
    off += 6;
    if (off + len > bytes.length) bad(`section '${name}' is cut off (${len} bytes declared, ${bytes.length - off} left)`);
    if (out.has(name)) bad(`section '${name}' appears twice`);
    out.set(name, { name, version, data: bytes.subarray(off, off + len) });
    off += len;
  }
  if (off !== bytes.length) bad(`${bytes.length - off} bytes after the last section`);
  return out;
}
