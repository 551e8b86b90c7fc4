/**
 * LeaseKeeper's bookkeeping when one process holds two attempts of a task in turn: it took the task
 * over from itself (its own lease expired during a stall) while the old attempt's outcome write was
 * in flight. That write is refused, and must not let go of the new attempt's lease.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/index.js';
import { LeaseKeeper } from '../../src/repository/typeorm/lease-keeper.js';
import type { Held } from '../../src/repository/typeorm/lease-sql.js';
import { FakeClock } from '../../src/testing/index.js';
import { codeOf, T0 } from '../helpers.js';

describe('LeaseKeeper', () => {
  it("a refused write of an old attempt keeps the new attempt's lease held and renewed", async () => {
    const renewals: Held[][] = [];
    const keeper = new LeaseKeeper(900, (held) => {
      renewals.push([...held]);
      return Promise.resolve(new Set(held.map(([id]) => id)));
    }, () => undefined);
    keeper.start(new FakeClock(T0));
    keeper.hold('a', 1);
    let refuse!: () => void;
    const write = keeper.fenced('a', (attempt) => new Promise<never>((_resolve, reject) => (refuse = () => reject(new LeaseLostError('a', attempt ?? 0)))));
    // The claim that took 'a' over from this process's own expired lease.
    keeper.hold('a', 2);
    refuse();
    expect(await codeOf(write)).toBe('ERR_LEASE_LOST');
    expect(keeper.attemptOf('a')).toBe(2);
    await keeper.renew();
    expect(renewals).toEqual([[['a', 2]]]);
    await keeper.stop();
  });

});
