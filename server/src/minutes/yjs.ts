import type * as Yjs from 'yjs' with { 'resolution-mode': 'import' };

/**
 * Yjs for this CommonJS build. The package ships one type declaration for its ESM and CommonJS builds inside a
 * `"type": "module"` package, so TypeScript reads a plain import as ESM-only; at run time `require('yjs')` loads
 * its CommonJS build (dist/yjs.cjs). The types come from the declaration, the values from that build.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Y = require('yjs') as typeof Yjs;

export const { Doc, Text, Map: YMap, applyUpdate, encodeStateAsUpdate, encodeStateVector, mergeUpdates } = Y;
export type Doc = Yjs.Doc;
export type Text = Yjs.Text;
export type YMap<T> = Yjs.Map<T>;
