import { createServer, type Server } from 'node:http';
import { ISOLATION_HEADERS } from './isolationHeaders.ts';
import { sendText, serveStatic } from './staticFiles.ts';
import type { ShareApi } from './share/api.ts';

export interface AppOptions {
  /** Directory of the built app (vite build output). */
  distDir: string;
  /** The snapshot-share API under /api/ (absent: those paths are served as static files). */
  share?: ShareApi;
}

/** The HTTP server: the share API under /api/, and the built app (share links /s/<id> load it) with cross-origin isolation. */
export function createAppServer(opts: AppOptions): Server {
  return createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    (opts.share ? opts.share.handle(req, res) : Promise.resolve(false))
      .then((api) => (api ? true : serveStatic(opts.distDir, req, res)))
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
