/**
 * Vite plugin: iced-x86 in the browser worker. The npm package is the
 * wasm-bindgen Node target (CommonJS glue that reads its .wasm with fs). This
 * serves the unmodified glue as `virtual:iced-x86-glue`, wrapped in a function
 * that takes the .wasm bytes and gives the glue the three Node modules it asks
 * (through globalThis: the glue declares its own TextDecoder const in that scope)
 * for (util's TextDecoder/TextEncoder, path.join, fs.readFileSync returning
 * those bytes). The worker fetches the .wasm (imported with ?url) and calls it;
 * workers may compile WebAssembly synchronously.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const ID = 'virtual:iced-x86-glue';
const RESOLVED = `\0${ID}`;

export function icedX86(): Plugin {
  return {
    name: 'vmxlab-iced-x86',
    resolveId(source) {
      return source === ID ? RESOLVED : null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      const gluePath = createRequire(import.meta.url).resolve('iced-x86/iced_x86.js');
      const glue = readFileSync(gluePath, 'utf8');
      return [
        'export function instantiateIced(wasmBytes) {',
        '  const module = { exports: {} };',
        '  const exports = module.exports;',
        '  const __dirname = "";',
        '  const require = (name) => {',
        '    if (name === "util") return { TextDecoder: globalThis.TextDecoder, TextEncoder: globalThis.TextEncoder };',
        '    if (name === "path") return { join: (...parts) => parts.join("/") };',
        '    if (name === "fs") return { readFileSync: () => wasmBytes };',
        '    throw new Error(`the iced-x86 glue asked for the Node module ${name}`);',
        '  };',
        glue,
        '  return module.exports;',
        '}',
      ].join('\n');
    },
  };
}
