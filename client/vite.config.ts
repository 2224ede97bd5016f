/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';
import { precompress } from './build/precompress';
import { serviceWorker } from './build/service-worker';

const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

export default defineConfig(({ mode }) => {
  // BRANCHMEET_API_URL (env or .env file) points the dev proxy at another server; default: the local one.
  const env = loadEnv(mode, here('.'), 'BRANCHMEET_');
  const apiTarget = env.BRANCHMEET_API_URL || 'http://localhost:3000';
  const proxy = {
    '/api': { target: apiTarget, changeOrigin: true },
    // The live room's signalling (socket.io, namespace /rtc): websocket upgrades included.
    '/socket.io': { target: apiTarget, changeOrigin: true, ws: true },
  };
  return {
    plugins: [react(), serviceWorker(), precompress()],
    resolve: {
      // Use the contracts' TypeScript source directly: no build step for shared/ during client work.
      alias: { '@branchmeet/shared': here('../shared/src/index.ts') },
    },
    server: { port: 5173, proxy },
    preview: { port: 4173, proxy },
    build: { outDir: 'dist', chunkSizeWarningLimit: 2500 },
    test: {
      environment: 'jsdom',
      setupFiles: ['./src/test/setup.ts'],
      include: ['src/**/*.spec.{ts,tsx}'],
      css: false,
      testTimeout: 90000,
    },
  };
});
