import { InitialSchema0001 } from './0001-initial-schema.js';
import { SeriesError0002 } from './0002-series-error.js';
import { Flows0003 } from './0003-flows.js';
import { Leases0004 } from './0004-leases.js';

/** Every kokugen migration, oldest first. Add them to your DataSource's `migrations`. */
export const kokugenMigrations = [InitialSchema0001, SeriesError0002, Flows0003, Leases0004] as const;

export { Flows0003, InitialSchema0001, Leases0004, SeriesError0002 };
