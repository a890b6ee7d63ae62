#!/usr/bin/env node
const { main } = await import('../dist/index.js');
process.exitCode = await main(process.argv.slice(2));
