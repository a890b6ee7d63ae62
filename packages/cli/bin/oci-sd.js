#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Cached V8 code for the bundle's chunks makes every later start cheaper (Node >= 22.1).
enableCompileCache?.();
const { main } = await import('../dist/index.js');
process.exitCode = await main(process.argv);
