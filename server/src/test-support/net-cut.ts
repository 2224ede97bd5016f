import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the app, whose `cut()` is a network cut as a user has it (Wi-Fi gone, a
 * cable pulled): from then on nothing passes either way and no connection is closed, so neither end hears a
 * goodbye (no FIN, no WebSocket close frame). Only the server's ping timeout can notice.
 */
export interface CuttableLink {
  /** `http://127.0.0.1:<port>`: connect the client here instead of the app. */
  url: string;
  cut(): void;
  close(): Promise<void>;
}

export async function cuttableLink(targetPort: number): Promise<CuttableLink> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!cut) to.write(chunk);
      });
      // After the cut a close is swallowed too: the other end must not learn of it.
      from.on('end', () => {
        if (!cut) to.end();
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      cut = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
