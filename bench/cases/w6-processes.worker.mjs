// One W6 worker process, forked by bench/cases/w6-processes.mjs with one JSON argument
// ({ system, store, concurrency, owner }). It talks to its parent over IPC:
//   -> { type: 'ready' }                  the store is open, nothing runs yet
//   <- { type: 'start' }                  start running due tasks
//   -> { type: 'started' }
//   -> { type: 'ended', count }           how many tasks it has ended so far (every few ms while it changes)
//   <- { type: 'stop' }
//   -> { type: 'stopped', ran, lateness, firstRunMs }  the param `i` of every task it ran (repeats
//                                         included); for params that carry `t` (when it was added,
//                                         epoch ms), start time minus `t` in ms; ms from the order
//                                         to start to its first task's start
// The IPC channel keeps the process alive while it waits for tasks; it exits once stopped.
import { systems } from '../lib/w6-systems.mjs';

const { system, store, concurrency, owner } = JSON.parse(process.argv[2]);
/** Epoch ms with sub-ms resolution, on the clock the producer process reads too. */
const now = () => performance.timeOrigin + performance.now();

const ran = [];
const lateness = [];
let startAt;
let firstRunMs = null;
const worker = await systems[system].worker(store, {
  concurrency,
  owner,
  onRun(param) {
    if (firstRunMs === null) firstRunMs = performance.now() - startAt;
    if (param.t !== undefined) lateness.push(now() - param.t);
    ran.push(param.i);
  },
});

let reported = 0;
const report = setInterval(() => {
  if (worker.ended !== reported) {
    reported = worker.ended;
    process.send({ type: 'ended', count: reported });
  }
}, 5);

let stopping = false;
// The coordinator gone (killed, crashed): nothing will stop this process but itself.
process.on('disconnect', () => process.exit(stopping ? 0 : 1));
process.on('error', () => process.exit(1)); // a send to a coordinator already gone
process.on('message', async (message) => {
  if (message.type === 'start') {
    startAt = performance.now();
    await worker.start();
    process.send({ type: 'started' });
  } else if (message.type === 'stop') {
    stopping = true;
    clearInterval(report);
    await worker.stop();
    process.send({ type: 'stopped', ran, lateness, firstRunMs }, () => process.disconnect());
  }
});
process.send({ type: 'ready' });
