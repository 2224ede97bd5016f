/**
 * Jest global teardown: names what the test files left open (a socket and where it goes, a listening server, a
 * child process) so a leak shows in the log with enough to find it. The runs use --forceExit, so a leak cannot
 * keep CI waiting; without this report it would go unseen.
 */
import type { ChildProcess } from 'node:child_process';
import { Server, Socket } from 'node:net';

function describe(handle: unknown): string | null {
  if (handle instanceof Socket) {
    if ((handle as Socket & { _isStdio?: boolean })._isStdio) return null;
    if (handle.remotePort) return `socket to ${handle.remoteAddress}:${handle.remotePort}`;
    return `socket (${handle.destroyed ? 'destroyed' : 'unconnected'})`;
  }
  if (handle instanceof Server) {
    const a = handle.address();
    return `server listening on ${typeof a === 'string' ? a : `${a?.address}:${a?.port}`}`;
  }
  const child = handle as Partial<ChildProcess>;
  if (typeof child.pid === 'number' && Array.isArray(child.spawnargs))
    return `child process ${child.pid}: ${child.spawnargs.join(' ').slice(0, 200)}`;
  const name = (handle as object | null)?.constructor?.name;
  return name === 'WriteStream' || name === 'ReadStream' ? null : (name ?? typeof handle);
}

export default async function reportOpenHandles(): Promise<void> {
  // What is closing asynchronously (a socket's FIN, a worker's exit) gets a moment to finish. Not unref'd: with
  // nothing else left, an unref'd timer lets the process exit here, before jest writes its --json report.
  await new Promise((r) => setTimeout(r, 1000));
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const open = handles.map(describe).filter((d): d is string => d !== null);
  const resources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
  if (open.length === 0) return;
  console.warn(
    `\nleft open after the tests (a test did not close what it opened):\n  ${open.join('\n  ')}\n` +
      `active resources: ${resources.join(', ')}\n`,
  );
}
