// A CommonJS consumer: TypeScript compiles this import to require('kokugen'), which Node 20.19+
// loads (require(esm)); TypeScript allows it under module nodenext (5.8+) or node20 (5.9+).
import { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } from 'kokugen';
import { FakeClock } from 'kokugen/testing';

async function main(): Promise<void> {
  const works = new WorkRegistry().register('double', (n: number) => n * 2);
  const clock = new FakeClock(0);
  const scheduler = new Scheduler<{ double: { param: number; result: number } }>({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), clock, logger: false });
  await scheduler.start();
  const task = await scheduler.schedule({ workId: 'double', param: 21, delay: 0 });
  await clock.tick();
  console.log((await scheduler.wait(task.id)).result);
  await scheduler.stop();
}

void main();
