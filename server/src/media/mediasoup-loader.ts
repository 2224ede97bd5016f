type Mediasoup = typeof import('mediasoup');

let loaded: Mediasoup | undefined;

/**
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when its module is first evaluated, so it is loaded here, lazily,
 * after the variable is set. Code elsewhere imports only mediasoup's types (erased at compile time).
 */
export function loadMediasoup(workerBin: string): Mediasoup {
  if (!loaded) {
    process.env.MEDIASOUP_WORKER_BIN = workerBin;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- must run after the env is set
    loaded = require('mediasoup') as Mediasoup;
  }
  if (loaded.workerBin !== workerBin)
    throw new Error(`mediasoup was already loaded with worker ${loaded.workerBin}, not ${workerBin}`);
  return loaded;
}
