/** The lease keeper when its store fails: a lease no renewal confirmed for a whole TTL counts as lost. */
import type { MeetingLeases } from './cluster.types';
import { LeaseKeeper } from './lease-keeper';
import { LocalCluster } from './local-cluster';

const identity = { id: 'n', url: 'http://n:3000', media: { address: '127.0.0.1', portBase: 40000 } };

it('renews while the store answers; once it fails for a whole TTL the lease is lost (once)', async () => {
  const local = new LocalCluster(identity);
  let failing = false;
  const leases: MeetingLeases = Object.assign(Object.create(local) as LocalCluster, {
    renew: async (m: string, e: number) => {
      if (failing) throw new Error('redis down');
      return local.renew(m, e);
    },
  });
  const keeper = new LeaseKeeper(leases, 10_000);
  const { lease } = await local.claim('m');
  const lost = jest.fn();
  keeper.keep(lease, lost);
  const now = jest.spyOn(Date, 'now');
  const t0 = Date.now();
  now.mockReturnValue(t0 + 5000);
  await keeper.tick();
  failing = true;
  // Failing, but renewed 5 s ago of a 10 s lease: still ours.
  now.mockReturnValue(t0 + 14_000);
  await keeper.tick();
  expect(lost).not.toHaveBeenCalled();
  now.mockReturnValue(t0 + 15_001);
  await keeper.tick();
  await keeper.tick();
  expect(lost).toHaveBeenCalledTimes(1);
  expect(lost).toHaveBeenCalledWith(lease);
  expect(keeper.held()).toEqual([]);
  now.mockRestore();
  await keeper.close();
});

it('a released lease is reported lost at the next renewal', async () => {
  const local = new LocalCluster(identity);
  const keeper = new LeaseKeeper(local, 10_000);
  const { lease } = await local.claim('m');
  const lost = jest.fn();
  keeper.keep(lease, lost);
  await keeper.tick();
  expect(lost).not.toHaveBeenCalled();
  await local.release('m', lease.epoch);
  await keeper.tick();
  expect(lost).toHaveBeenCalledWith(lease);
  await keeper.close();
});
