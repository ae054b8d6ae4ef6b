import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { icedX86 } from './build/icedX86Plugin.ts';

/**
 * Cross-origin isolation: guest RAM and the serial ring are SharedArrayBuffers,
 * which browsers only allow when the page is cross-origin isolated.
 * server/ sends the same headers in production (server/isolationHeaders.ts).
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), icedX86()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es', plugins: () => [icedX86()] },
  build: { target: 'es2022', sourcemap: true },
});
