import { InitialSchema0001 } from './0001-initial-schema.js';
import { Flows0002 } from './0002-flows.js';

/** Every kokugen migration, oldest first. Add them to your DataSource's `migrations`. */
export const kokugenMigrations = [InitialSchema0001, Flows0002] as const;

export { Flows0002, InitialSchema0001 };
