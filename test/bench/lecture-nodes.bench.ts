/**
 * A lecture across nodes: one lecturer to N receivers over 1, 2 and 3 nodes (one worker each, routers joined by
 * PipeTransports with SRTP and RTX), each worker's CPU and the loss, and the ratios to one node. The measurement
 * lives in server/src/test-support/lecture-nodes-bench.ts; this starts it under the server's TypeScript settings.
 *   npm run bench:lecture-nodes -w test        (from the repository root; about a minute)
 * Not part of `npm test` nor of `npm run bench` (it saturates cores on purpose).
 */
import { runServerBench } from './server-bench';

export const lectureNodesBench = () => runServerBench('lecture-nodes-bench.ts');

if (require.main === module) void lectureNodesBench().then((code) => process.exit(code));
