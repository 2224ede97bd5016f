import { Foundation1795954103758 } from './1795954103758-foundation';
import { LiveMeetings1795956832149 } from './1795956832149-live-meetings';

/** Every migration, in order. A new one is generated with `npm run migration:generate`, reviewed and listed here. */
export const migrations = [Foundation1795954103758, LiveMeetings1795956832149];
