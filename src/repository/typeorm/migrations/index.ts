import { InitialSchema0001 } from './0001-initial-schema.js';
import { SeriesError0002 } from './0002-series-error.js';

/** Every kokugen migration, oldest first. Add them to your DataSource's `migrations`. */
export const kokugenMigrations = [InitialSchema0001, SeriesError0002] as const;

export { InitialSchema0001, SeriesError0002 };
