import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { launchBrowser } from './support/browser';
import { createUdpBlockedNetns, type UdpBlockedNetns } from './support/netns';
import { firstFrameAfterJoin, hostNewMeeting, Member, openAs } from './support/room';

/**
 * A member behind a firewall that drops all UDP and has no TURN server: their page's media falls back to ICE-TCP,
 * straight to the WebRtcServer's TCP port. The viewer's Chromium runs in a network namespace (a veth pair to
 * this host, UDP dropped by iptables inside it; Chromium's own UDP switches did not block reliably); the server's
 * media listens on, and announces, the host side of the veth. The viewer decodes the host's camera, the selected
 * ICE candidate pair of every connected transport is TCP to the media port, and the namespace's firewall dropped
 * the UDP Chromium tried. Prints the time from 加入 to the first decoded frame. Needs root.
 */
jest.setTimeout(120_000);

interface SelectedPair {
  state: string;
  local: { protocol: string; address: string; candidateType: string };
  remote: { protocol: string; address: string; port: number };
  bytesReceived: number;
}

/** The selected candidate pair of each connected RTCPeerConnection of the page (collected by an init script). */
function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __bmPcs?: RTCPeerConnection[] }).__bmPcs ?? [];
    const out: SelectedPair[] = [];
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue;
      // The report as a plain map (the test's DOM typings lack RTCStatsReport's maplike methods).
      type Stat = Record<string, string | number | undefined>;
      const byId = new Map<string, Stat>();
      (await pc.getStats()).forEach((r: Stat) => byId.set(String(r.id), r));
      const transport = [...byId.values()].find((r) => r.type === 'transport' && r.selectedCandidatePairId);
      const pair = transport ? byId.get(String(transport.selectedCandidatePairId)) : undefined;
      if (!pair) continue;
      const local = byId.get(String(pair.localCandidateId)) ?? {};
      const remote = byId.get(String(pair.remoteCandidateId)) ?? {};
      out.push({
        state: String(pair.state),
        local: {
          protocol: String(local.protocol),
          address: String(local.address),
          candidateType: String(local.candidateType),
        },
        remote: {
          protocol: String(remote.protocol),
          address: String(remote.address),
          port: Number(remote.port),
        },
        bytesReceived: Number(pair.bytesReceived ?? 0),
      });
    }
    return out;
  });
}

describe('ICE-TCP with UDP blocked (no TURN)', () => {
  let ns: UdpBlockedNetns | undefined;
  let server: AppServer | undefined;
  let hostBrowser: Browser | undefined;
  let viewerBrowser: Browser | undefined;
  const members: Member[] = [];

  afterAll(async () => {
    for (const m of members) await m.context.close().catch(() => undefined);
    await viewerBrowser?.close().catch(() => undefined);
    await hostBrowser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    ns?.remove();
  });

  it("a viewer whose UDP is blocked decodes the host's camera over ICE-TCP to the media port", async () => {
    if (process.getuid?.() !== 0)
      throw new Error('this test builds a network namespace and firewall rules: run it as root');
    ns = createUdpBlockedNetns();
    // HTTP on every address (the namespace reaches it through the veth); media only on the veth's host side.
    server = await startAppServer({
      mediaWorkers: 1,
      env: { HOST: '0.0.0.0', MEDIA_LISTEN_IP: ns.hostIp, MEDIA_ANNOUNCED_ADDRESS: ns.hostIp, TURN_URLS: '' },
    });
    const port = Number(new URL(server.baseUrl).port);
    // Inside the namespace the page opens http://127.0.0.1:<port> too (a secure origin, like production's https).
    await ns.forward(port);
    hostBrowser = await launchBrowser();
    viewerBrowser = await launchBrowser([], { executablePath: ns.chromium });
    try {
      const { host, meetingId, hostPeer } = await hostNewMeeting(hostBrowser, server.baseUrl);
      members.push(host);

      const viewer = await openAs(viewerBrowser, server.baseUrl, '13800000012');
      members.push(viewer);
      // Every RTCPeerConnection the page makes, for getStats of its selected candidate pair.
      await viewer.context.addInitScript(() => {
        const Native = window.RTCPeerConnection;
        const pcs: RTCPeerConnection[] = [];
        (window as unknown as { __bmPcs: RTCPeerConnection[] }).__bmPcs = pcs;
        window.RTCPeerConnection = class extends Native {
          constructor(config?: RTCConfiguration) {
            super(config);
            pcs.push(this);
          }
        };
      });
      await viewer.page.goto(`${server.baseUrl}/meetings/${meetingId}`, { waitUntil: 'domcontentloaded' });
      const firstFrameMs = await firstFrameAfterJoin(
        viewer.page,
        hostPeer,
        "the host's first video frame on the UDP-blocked viewer's page",
      );
      const pairs = await selectedPairs(viewer.page);
      process.stdout.write(
        `ICE-TCP with UDP blocked: first frame ${firstFrameMs} ms after 加入; selected pairs ${JSON.stringify(pairs)}; ` +
          `UDP packets dropped by the firewall: ${ns.droppedUdp()}\n`,
      );
      expect(pairs.length).toBeGreaterThanOrEqual(1);
      for (const p of pairs) {
        expect(p.local.protocol).toBe('tcp');
        expect(p.remote).toEqual({ protocol: 'tcp', address: ns.hostIp, port: server.mediaPortBase });
      }
      expect(pairs.some((p) => p.bytesReceived > 0)).toBe(true);
      // Chromium did try UDP (its host candidates), and the firewall dropped it: the fallback was needed.
      expect(ns.droppedUdp()).toBeGreaterThan(0);
    } catch (e) {
      process.stderr.write(`--- server log ---\n${server.log().slice(-4000)}\n`);
      throw e;
    }
  });
});
