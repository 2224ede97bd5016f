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
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    link
      .request('transport.connect', { transportId: transport.id, dtlsParameters })
      .then(() => callback(), errback);
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
