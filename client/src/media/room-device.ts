import { Device, type types } from 'mediasoup-client';
import type { RoomDevice } from './room-link';
import type { SignallingClient } from './signalling-client';

/** A device loaded with the server's router capabilities, and those capabilities (as JSON) to compare with. */
export interface PreparedDevice {
  device: RoomDevice;
  routerRtpCapabilities: string;
}

export type DeviceFactory = () => Promise<RoomDevice>;

/** Makes a device and loads it with the router's capabilities. */
export async function loadRoomDevice(
  routerRtpCapabilities: unknown,
  factory: DeviceFactory = () => Device.factory(),
): Promise<RoomDevice> {
  const device = await factory();
  await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  return device;
}

/**
 * The server's router capabilities, asked for ahead of a join (the meeting page asks, while the pre-join page
 * shows), and a device loaded with them: `room.join` then carries the device's capabilities, and its answer
 * brings the room's consumers — one round trip less before the first audio, which on a weak link (600 ms RTT) is
 * worth asking early for. Asked once per socket client; an ask that failed is forgotten, and a join without a
 * prepared device takes the longer way (`room.ready`).
 */
const prepared = new WeakMap<SignallingClient, Promise<PreparedDevice>>();

export function prepareRoomDevice(signalling: SignallingClient, factory?: DeviceFactory): void {
  if (prepared.has(signalling)) return;
  const link = signalling.subscribe();
  const answer = link
    .request('media.capabilities', {})
    .finally(() => link.release())
    .then(async ({ routerRtpCapabilities }) => ({
      device: await loadRoomDevice(routerRtpCapabilities, factory),
      routerRtpCapabilities: JSON.stringify(routerRtpCapabilities),
    }));
  prepared.set(signalling, answer);
  answer.catch((err: unknown) => {
    console.warn('[room] no device prepared ahead of the join', err);
    forgetPreparedDevice(signalling, answer);
  });
}

/** The device prepared ahead (waiting for it if it is on its way); null if none was asked for, or it failed. */
export function preparedRoomDevice(signalling: SignallingClient): Promise<PreparedDevice | null> {
  return prepared.get(signalling)?.catch(() => null) ?? Promise.resolve(null);
}

/** The prepared device no longer fits the server (its codecs changed): the next join takes the longer way. */
export function forgetPreparedDevice(signalling: SignallingClient, which?: Promise<PreparedDevice>): void {
  if (!which || prepared.get(signalling) === which) prepared.delete(signalling);
}
