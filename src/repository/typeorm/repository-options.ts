import { InvalidArgumentError } from '../../errors.js';
import { checkInteger, checkKeys, checkObject } from '../../validation/validate.js';
import { retentionPolicy } from './retention-sweep.js';
import type { TypeOrmOpenOptions, TypeOrmRepositoryOptions } from './open-options.js';

/** The options of `new TypeOrmRepository(dataSource, options)`, which `open()` passes on. */
export const repositoryOptionKeys = ['pollInterval', 'retention', 'watchInterval', 'lease', 'clock', 'claimAhead'] as const satisfies ReadonlyArray<keyof TypeOrmRepositoryOptions>;

/** The repository's options among `open()`'s. */
export function repositoryOptionsOf(options: TypeOrmOpenOptions): TypeOrmRepositoryOptions {
  const picked: Record<string, unknown> = {};
  for (const key of repositoryOptionKeys) if (options[key] !== undefined) picked[key] = options[key];
  return picked as TypeOrmRepositoryOptions;
}

/** The most a claim takes ahead of what the loop asked for. */
export const maxClaimAhead = 10_000;

/** Checks the repository's options (typed errors, nothing changed). */
export function checkOptions(options: TypeOrmRepositoryOptions): TypeOrmRepositoryOptions {
  checkKeys(checkObject(options, 'TypeOrmRepository options'), repositoryOptionKeys, 'TypeOrmRepository options');
  if (options.pollInterval !== undefined) checkInteger(options.pollInterval, 'pollInterval', 1);
  if (options.watchInterval !== undefined) checkInteger(options.watchInterval, 'watchInterval', 1);
  retentionPolicy(options.retention);
  checkLeaseOptions(options);
  return options;
}

/** Checks `lease`, `clock` and `claimAhead`. */
function checkLeaseOptions(options: TypeOrmRepositoryOptions): void {
  // A lease shorter than a few round trips would expire between renewals.
  if (options.lease !== undefined) checkInteger(options.lease, 'lease', 100);
  if (options.clock !== undefined && options.clock !== 'database' && options.clock !== 'local') throw new InvalidArgumentError('clock', "'database' or 'local'", options.clock);
  if (options.claimAhead !== undefined) {
    checkInteger(options.claimAhead, 'claimAhead', 0);
    if (options.claimAhead > maxClaimAhead) throw new InvalidArgumentError('claimAhead', `an integer from 0 to ${maxClaimAhead}`, options.claimAhead);
  }
}
