/**
 * Loads iced-x86 in the worker: fetches its .wasm (emitted as an asset by
 * Vite) and hands the bytes to the package's own glue through the
 * `virtual:iced-x86-glue` module (build/icedX86Plugin.ts).
 */
import wasmUrl from 'iced-x86/iced_x86_bg.wasm?url';
import { instantiateIced } from 'virtual:iced-x86-glue';
import type { IcedModule } from '../emu/debug/disasm.ts';

export async function loadIced(): Promise<IcedModule> {
  const res = await fetch(wasmUrl);
  if (!res.ok) throw new Error(`fetching ${wasmUrl}: HTTP ${res.status}`);
  return instantiateIced(new Uint8Array(await res.arrayBuffer())) as IcedModule;
}
