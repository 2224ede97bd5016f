import { ensureTestClient } from './client-build';

/** Once per run, before any test's timeout starts: the client build with test hooks (when out of date). */
export default function globalSetup(): void {
  ensureTestClient();
}
