import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt|wasm)$/;
/** Below this a compressed copy saves less than the extra header costs. */
const MIN_BYTES = 512;

/** Writes `<file>.br` and `<file>.gz` beside every compressible file of the build (the server sends them as they are). */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'branchmeet-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const full = join(dir, name);
          if (statSync(full).isDirectory()) walk(full);
          else if (COMPRESSIBLE.test(name) && statSync(full).size >= MIN_BYTES) {
            const raw = readFileSync(full);
            writeFileSync(
              full + '.br',
              brotliCompressSync(raw, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: 11,
                  [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
                },
              }),
            );
            writeFileSync(full + '.gz', gzipSync(raw, { level: 9 }));
          }
        }
      };
      walk(outDir);
    },
  };
}
