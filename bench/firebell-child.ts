/**
 * One firebell (core, bridge, IRC and Matrix adapters) in a process of its own, as users run it: the
 * default Matrix timings and the IRC pacing given (the benchmarks pass the sample config's default).
 * argv[2] is the JSON of its options (firebell-instance.ts, without the logger and the long-message
 * store). Prints "ready" once connected to both servers; runs until killed.
 */
import { KeyValueLongMessages } from '../src/core/bridge/long-messages.js';
import { startFirebellInstance, type InstanceOptions } from '../test/core/bridge/firebell-instance.js';
import { MemoryKeyValueStore } from '../test/support/memory-kv.js';

const options = JSON.parse(process.argv[2] as string) as Omit<InstanceOptions, 'longMessages' | 'logger'>;
await startFirebellInstance({
  ...options,
  longMessages: new KeyValueLongMessages(new MemoryKeyValueStore()),
});
process.stdout.write('ready\n');
