import { createServer, type Server } from 'node:http';
import { ISOLATION_HEADERS } from './isolationHeaders.ts';
import { sendText, serveStatic } from './staticFiles.ts';

export interface AppOptions {
  /** Directory of the built app (vite build output). */
  distDir: string;
}

/** The HTTP server: the built app with cross-origin isolation. The share API joins here later. */
export function createAppServer(opts: AppOptions): Server {
  return createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    serveStatic(opts.distDir, req, res)
      .then((handled) => {
        if (!handled) sendText(res, 405, 'method not allowed');
      })
      .catch((err: unknown) => {
        console.error('request failed:', err);
        if (!res.headersSent) sendText(res, 500, 'internal error');
        else res.destroy();
      });
  });
}
