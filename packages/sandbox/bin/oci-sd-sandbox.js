#!/usr/bin/env node
const entry = new URL('../dist/index.js', import.meta.url);
const { main } = await import(entry.href).catch((error) => {
  // In a clone of the repository nothing is built by `npm ci`: say how, instead of a stack trace.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry.pathname))
    throw error;
  console.error('oci-sd-sandbox: this checkout is not built yet: run `npm run demo`');
  process.exit(2);
});
process.exitCode = await main(process.argv.slice(2));
