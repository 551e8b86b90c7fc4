/** What both SQLite driver adapters keep of kokugen's statements. */

/** How many prepared statements a connection keeps (kokugen's hot statements are a handful; IN lists of every length are not). */
export const maxStatements = 64;

/** Statements whose result is a changed-row count (TypeORM's rule too): the others return rows. */
export const changesRows = /^(INSERT|UPDATE|DELETE) /;
