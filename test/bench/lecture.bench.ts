/**
 * Lecture benchmark: one lecturer (audio + simulcast video) to N receive-only
 * consumers on one mediasoup worker; the largest N with worker CPU < 85% of one core and packet loss < 1%, for
 * BranchMeet's media layer and for a bare mediasoup script in the same run, and their ratio (target ≥ 0.95).
 *
 * The measurement lives in server/src/test-support/lecture-bench.ts (it drives the server's MediaService); this
 * starts it under the server's TypeScript settings.
 *   npm run bench:lecture -w test        (from the repository root; about 2–4 minutes)
 * Not part of `npm test` nor of `npm run bench` (it saturates a core on purpose).
 */
import { runServerBench } from './server-bench';

export const lectureBench = () => runServerBench('lecture-bench.ts');

if (require.main === module) void lectureBench().then((code) => process.exit(code));
