#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';

// Cached V8 code for the bundle's chunks makes every later start cheaper (Node >= 22.1).
enableCompileCache?.();
// A run lasts a fraction of a second, so optimized code that helper threads compile mostly lands
// too late to pay off; compiling it on the main thread when V8 asks costs less CPU and no time
// (`changelog notes` on a 6 MB changelog: 98 -> 87 ms CPU, 90 -> 83 ms wall).
setFlagsFromString('--no-concurrent-recompilation');
const entry = new URL('../dist/index.js', import.meta.url);
const { main } = await import(entry.href).catch((error) => {
  // In a clone of the repository nothing is built by `npm ci`: say how, instead of a stack trace.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry.pathname))
    throw error;
  console.error(
    'oci-sd: this checkout is not built yet: run `npm run build` (or `npm run demo` for the demo)',
  );
  process.exit(2);
});
process.exitCode = await main(process.argv);
