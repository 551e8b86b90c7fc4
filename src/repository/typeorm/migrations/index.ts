import { InitialSchema0001 } from './0001-initial-schema.js';

/** Every kokugen migration, oldest first. Add them to your DataSource's `migrations`. */
export const kokugenMigrations = [InitialSchema0001] as const;

export { InitialSchema0001 };
