/**
 * Snapshot encoding for device state kept in plain numeric fields and typed
 * arrays. Each device names its state once (a StateLayout); save and load walk
 * the same list, and `uncoveredFields` lets a test prove the list is complete.
 *
 * Layout of the bytes: every scalar as a little-endian float64 (exact for any
 * integer below 2^53 and for virtual-time nanoseconds), then each typed array's
 * raw bytes in order. The length is fixed by the layout, so a mismatch means a
 * snapshot from another version of the device.
 */

export interface StateLayout {
  readonly name: string;
  readonly scalars: readonly string[];
  readonly arrays: readonly string[];
  /** Numeric fields fixed at construction (configuration, not state): not saved. */
  readonly config?: readonly string[];
}

type Fields = Record<string, unknown>;

function arrayOf(obj: Fields, key: string, layout: StateLayout): ArrayBufferView {
  const a = obj[key];
  if (!ArrayBuffer.isView(a)) throw new Error(`${layout.name}: state field ${key} is not a typed array`);
  return a;
}

export function stateSize(obj: object, layout: StateLayout): number {
  let n = layout.scalars.length * 8;
  for (const k of layout.arrays) n += arrayOf(obj as Fields, k, layout).byteLength;
  return n;
}

export function saveFields(obj: object, layout: StateLayout): Uint8Array {
  const o = obj as Fields;
  const out = new Uint8Array(stateSize(obj, layout));
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const k of layout.scalars) {
    const v = o[k];
    if (typeof v !== 'number') throw new Error(`${layout.name}: state field ${k} is not a number`);
    dv.setFloat64(off, v, true);
    off += 8;
  }
  for (const k of layout.arrays) {
    const a = arrayOf(o, k, layout);
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

export function loadFields(obj: object, layout: StateLayout, bytes: Uint8Array): void {
  const o = obj as Fields;
  const want = stateSize(obj, layout);
  if (bytes.length !== want) {
    throw new Error(`${layout.name}: snapshot state is ${bytes.length} bytes, this version expects ${want}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  for (const k of layout.scalars) {
    o[k] = dv.getFloat64(off, true);
    off += 8;
  }
  for (const k of layout.arrays) {
    const a = arrayOf(o, k, layout);
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(bytes.subarray(off, off + a.byteLength));
    off += a.byteLength;
  }
}

/** Own numeric or typed-array fields of `obj` that the layout does not list (for tests). */
export function uncoveredFields(obj: object, layout: StateLayout): string[] {
  const listed = new Set([...layout.scalars, ...layout.arrays, ...(layout.config ?? [])]);
  return Object.keys(obj).filter((k) => {
    const v = (obj as Fields)[k];
    return (typeof v === 'number' || ArrayBuffer.isView(v)) && !listed.has(k);
  });
}
