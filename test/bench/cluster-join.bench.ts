/**
 * Cluster join benchmark: a join through a node that does not own the meeting (a redirect) against a join on the
 * owner, in one run (target: ratio of the medians ≤ 1.2). The measurement lives in
 * server/src/test-support/cluster-join-bench.ts; this starts it under the server's TypeScript settings.
 *   npm run bench:cluster-join -w test      (from the repository root; about a minute; needs Redis)
 * Not part of `npm test` nor of `npm run bench`.
 */
import { runServerBench } from './server-bench';

export const clusterJoinBench = () => runServerBench('cluster-join-bench.ts');

if (require.main === module) void clusterJoinBench().then((code) => process.exit(code));
