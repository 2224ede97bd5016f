import type { IceServer, TransportOptions } from '@branchmeet/shared';
import type { types } from 'mediasoup-client';
import type { LocalSource } from './local-media';
import type { RoomDevice, RoomLink } from './room-link';
import { testIceTransportPolicy } from './test-hooks';

/** The wire's opaque mediasoup parameter objects, typed as mediasoup-client's (mediasoup checked their content). */
function transportOptions(t: TransportOptions, iceServers: IceServer[]): types.TransportOptions {
  const policy = testIceTransportPolicy();
  return {
    id: t.id,
    iceParameters: t.iceParameters as types.IceParameters,
    iceCandidates: t.iceCandidates as types.IceCandidate[],
    dtlsParameters: t.dtlsParameters as types.DtlsParameters,
    iceServers: iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    ...(policy ? { iceTransportPolicy: policy } : {}),
  };
}

/**
 * A send or receive transport of the room's device whose DTLS connect and produce go over the room's socket;
 * `failed` is called when its ICE/DTLS connection fails for good.
 */
export function createRoomTransport(
  device: RoomDevice,
  direction: 'send' | 'recv',
  options: TransportOptions,
  iceServers: IceServer[],
  link: Pick<RoomLink, 'request'>,
  failed: () => void,
): types.Transport {
  const params = transportOptions(options, iceServers);
  const transport =
    direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
  // The DTLS parameters go to the server while ICE starts, not before it: the browser sends its first DTLS packet
  // only once ICE has connected, a round trip after the parameters left, so waiting for the server's answer would
  // only put a round trip more before the first media. A connect the server refuses fails the transport.
  transport.on('connect', ({ dtlsParameters }, callback) => {
    link.request('transport.connect', { transportId: transport.id, dtlsParameters }).catch((err: unknown) => {
      console.warn('[room] transport connect refused', transport.id, err);
      if (!transport.closed) failed();
    });
    callback();
  });
  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      link
        .request('media.produce', {
          transportId: transport.id,
          kind,
          source: appData.source as LocalSource,
          rtpParameters,
          paused: appData.paused === true,
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }
  transport.on('connectionstatechange', (state) => {
    if (state === 'failed') failed();
  });
  return transport;
}
