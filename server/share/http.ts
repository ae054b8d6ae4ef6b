/** JSON responses and bounded request bodies for the share API. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the client caused or must know about: becomes `{ error }` with this status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export function sendBytes(res: ServerResponse, data: Uint8Array, type: string, head: boolean): void {
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': data.length,
    // Content-addressed and immutable: cache forever.
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
  res.end(head ? undefined : data);
}

/**
 * Reads the whole body, refusing (413) as soon as it passes `limit` bytes,
 * whether or not Content-Length announced it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      n += c.length;
      if (n > limit) {
        done = true;
        req.resume();
        reject(new HttpError(413, `request body is over the limit of ${limit} bytes`));
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const b = Buffer.concat(parts, n);
      resolve(new Uint8Array(b.buffer, b.byteOffset, b.length));
    });
    req.on('error', (err) => {
      if (!done) { done = true; reject(err); }
    });
  });
}
