/** Provided by build/icedX86Plugin.ts: the iced-x86 glue, instantiated from wasm bytes. */
declare module 'virtual:iced-x86-glue' {
  export function instantiateIced(wasmBytes: Uint8Array): unknown;
}
