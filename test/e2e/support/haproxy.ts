import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

/** The proxy configuration docker-compose runs (deploy/haproxy/haproxy.cfg). */
export const HAPROXY_CONFIG = join(__dirname, '../../../deploy/haproxy/haproxy.cfg');
const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

export interface Proxy {
  /** `https://127.0.0.1:<port>`: where the browsers go. */
  httpsUrl: string;
  /** `http://127.0.0.1:<port>`: plain HTTP, redirected to HTTPS. */
  httpUrl: string;
  /** Chromium's `--ignore-certificate-errors-spki-list` value for the test certificate. */
  spki: string;
  /** HAProxy's log so far: one line per HTTP request, written when its connection or stream ends. */
  log(): string;
  /** GET over HTTPS through the proxy (trusting the test certificate): status and body. */
  get(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 in `dir`: the PEM HAProxy loads (chain and key in one file). */
function makeCertificate(dir: string): { pem: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // prettier-ignore
  const pem = join(dir, 'site.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { pem, cert: readFileSync(cert, 'utf8') };
}

/**
 * Starts Debian's HAProxy with the production configuration on loopback: HTTP on `httpPort`, HTTPS on `tlsPort`
 * with a certificate made here, and `BM_NODE_1`, `BM_NODE_2` the nodes' `host:port`.
 */
export async function startProxy(
  dir: string,
  ports: { http: number; tls: number },
  nodes: [string, string],
): Promise<Proxy> {
  if (!existsSync(HAPROXY))
    throw new Error(`${HAPROXY} not found: install Debian's HAProxy (apt-get install -y haproxy)`);
  const { pem, cert } = makeCertificate(dir);
  const spki = createHash('sha256')
    .update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  let output = '';
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', HAPROXY_CONFIG], {
    env: {
      PATH: process.env.PATH,
      BM_HTTP_BIND: `127.0.0.1:${ports.http}`,
      BM_TLS_BIND: `127.0.0.1:${ports.tls}`,
      BM_TLS_CERT: pem,
      BM_NODE_1: nodes[0],
      BM_NODE_2: nodes[1],
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const httpsUrl = `https://127.0.0.1:${ports.tls}`;
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${httpsUrl}${path}`, { ca: cert }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  // Up when both nodes answer through their own routes.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
    const ok = await Promise.all(['/node/node-1/api/health', '/node/node-2/api/health'].map(get)).then(
      (rs) => rs.every((r) => r.status === 200),
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not reach both nodes:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { httpsUrl, httpUrl: `http://127.0.0.1:${ports.http}`, spki, log: () => output, get, stop };
}

/** One line of HAProxy's HTTP log (`option httplog`, `capture cookie BMNODE`). */
export interface ProxyLogLine {
  backend: string;
  server: string;
  status: number;
  /** The BMNODE cookie the request carried (the node the browser entered through), or null. */
  entry: string | null;
  method: string;
  path: string;
}

/** The request lines of HAProxy's log. */
export function parseProxyLog(log: string): ProxyLogLine[] {
  const lines: ProxyLogLine[] = [];
  // `… [date] frontend backend/server timers status bytes request-cookie … "METHOD path HTTP/x"`
  const re = /\] \S+ (\S+)\/(\S+) \S+ (-?\d+) \S+ (\S+) .*"(\S+) (\S+)[^"]*"\s*$/;
  for (const line of log.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const cookie = /^BMNODE=(.+)$/.exec(m[4]);
    lines.push({
      backend: m[1],
      server: m[2],
      status: Number(m[3]),
      entry: cookie ? cookie[1] : null,
      method: m[5],
      // Over HTTP/2 the log names the request by its absolute URI.
      path: m[6].replace(/^https?:\/\/[^/]+/, ''),
    });
  }
  return lines;
}
