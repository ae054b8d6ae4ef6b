/**
 * UTF-8 through the host's TextEncoder/TextDecoder, which every target has
 * (browsers, workers, Node) but plain ES2022 typings do not declare.
 */
interface Host {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label: string, opts?: { fatal?: boolean }) => { decode(b: Uint8Array): string };
}
const host = globalThis as unknown as Host;
const encoder = new host.TextEncoder();
const strict = new host.TextDecoder('utf-8', { fatal: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes UTF-8; throws on malformed input. */
export function utf8Decode(b: Uint8Array): string {
  return strict.decode(b);
}
