import { InitialSchema0001 } from './0001-initial-schema.js';
import { SeriesError0002 } from './0002-series-error.js';
import { Flows0003 } from './0003-flows.js';
import { Leases0004 } from './0004-leases.js';
import { Keys0005 } from './0005-keys.js';
import { LeanIndexes0006 } from './0006-lean-indexes.js';

import { recordedElsewhere } from './recorded.js';

/**
 * Every kokugen migration, oldest first. Add them to your DataSource's `migrations`. Each one
 * first checks that the other route (`TypeOrmRepository.open()`, or another DataSource) has not
 * run it already (see recorded.ts).
 */
export const kokugenMigrations = [InitialSchema0001, SeriesError0002, Flows0003, Leases0004, Keys0005, LeanIndexes0006].map(recordedElsewhere);

export { Flows0003, InitialSchema0001, Keys0005, LeanIndexes0006, Leases0004, SeriesError0002 };
