/**
 * Headers that make the page cross-origin isolated (SharedArrayBuffer needs it).
 * Sent on every response, including errors, so that no navigation escapes isolation.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
