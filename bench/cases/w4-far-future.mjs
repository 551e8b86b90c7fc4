// W4 far future: one task 30 days ahead.
//   kit-fake: the kit on FakeClock must fire exactly at the due ms (not 1 ms before, not after).
//   any other: armed on the real clock, it must not fire during a short real window (Node fires
//   any setTimeout delay above 2^31-1 ms, about 24.8 days, at once).
import { caseArgs, emit, recorder } from '../lib/case.mjs';
import { createImpl, distUrl } from '../lib/impls.mjs';

const { impl, window = 1_000 } = caseArgs();
const day = 86_400_000;

if (impl === 'kit-fake') {
  const { FakeClock } = await import(new URL('testing/index.js', distUrl).href);
  const start = Date.UTC(2026, 10, 23);
  const clock = new FakeClock(start);
  const rec = recorder(1, () => clock.now());
  const adapter = await createImpl('kit', { record: rec.record, clock });
  await adapter.start();
  const at = start + 30 * day;
  await adapter.add(Float64Array.of(at), [null]);
  await clock.advance(30 * day - 1);
  const firedBeforeDue = rec.count;
  await clock.advance(1);
  await adapter.idle();
  const firedAtDue = rec.count;
  await adapter.stop();
  emit({ firedBeforeDue, firedAtDue, lateMs: firedAtDue === 1 ? rec.late[0] : null, exact: firedBeforeDue === 0 && firedAtDue === 1 && rec.late[0] === 0, early: firedBeforeDue });
} else {
  const rec = recorder(1);
  const adapter = await createImpl(impl, { record: rec.record });
  await adapter.start();
  await adapter.add(Float64Array.of(Date.now() + 30 * day), [null]);
  await new Promise((resolve) => setTimeout(resolve, window));
  const early = rec.count;
  await adapter.stop();
  emit({ early, neverEarly: early === 0, windowMs: window });
}
