#!/usr/bin/env node
// The packages as a consumer meets them: every published package packed (`npm pack`, prepack
// included), the tarballs installed into an empty project in the system temp directory (outside
// the workspace, so nothing resolves through it), then: every library imported (importing must
// print nothing: no package runs on import), a consumer and every README's quick start
// type-checked under moduleResolution node16 and bundler, and `npx oci-sd --help`. Needs a build first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE, packAll } from './packages.mjs';

/** A value and a type from every library, so each package's declarations are resolved. */
const CONSUMER = `import { ActionError, type ActionIO } from '@oci-sd/action';
import { readChangelog, type ReleaseNotes } from '@oci-sd/changelog';
import { main } from '@oci-sd/cli';
import { CoreError, writeFileAtomic } from '@oci-sd/core';
import { createGitHubClient } from '@oci-sd/gh';
import { OciLayoutSource } from '@oci-sd/oci';
import { ReleaseError } from '@oci-sd/release';
import { SandboxError } from '@oci-sd/sandbox';
import { addReleaseTarget } from '@oci-sd/tuf';
import { verifyImage, formatReport } from '@oci-sd/verify';

export const values: unknown[] = [
  ActionError, readChangelog, main, CoreError, writeFileAtomic, createGitHubClient,
  OciLayoutSource, ReleaseError, SandboxError, addReleaseTarget, verifyImage, formatReport,
];
export type Types = [ActionIO, ReleaseNotes];
`;

/** The README's quick start of an installed package: the first ts block under `## Quick start`. */
function quickStart(name) {
  const readme = readFileSync(join(project, 'node_modules', name, 'README.md'), 'utf8');
  const code = /^## Quick start\n[\s\S]*?^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  if (!code) throw new Error(`${name}: README.md has no ts block under "## Quick start"`);
  return code;
}

function tsconfig(moduleResolution, files) {
  return {
    compilerOptions: {
      target: 'es2023',
      lib: ['es2023'],
      module: moduleResolution === 'node16' ? 'node16' : 'esnext',
      moduleResolution,
      strict: true,
      noEmit: true,
      // the packages' declarations are checked too, not only the consumer's use of them
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [join(WORKSPACE, 'node_modules', '@types')],
    },
    files,
  };
}

const started = performance.now();
const root = mkdtempSync(join(tmpdir(), 'oci-sd-install-test-'));
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', ...options });
const project = join(root, 'consumer');
try {
  const packs = packAll(mkdtempSync(join(root, 'tarballs-')));
  execFileSync('mkdir', [project]);
  const tarballs = Object.fromEntries(packs.map(({ name, tarball }) => [name, `file:${tarball}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: tarballs,
      // the packages' dependencies on each other resolve to these tarballs, not the registry
      overrides: tarballs,
    }),
  );
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  console.log(`install test: ${packs.length} tarballs installed in ${project}`);

  const libraries = packs.map(({ name }) => name);
  const imported = run('node', [
    '--input-type=module',
    '-e',
    `for (const name of ${JSON.stringify(libraries)}) await import(name);`,
  ]);
  if (imported !== '') throw new Error(`importing the packages printed:\n${imported}`);
  console.log(`install test: imported ${libraries.join(', ')} (no output)`);

  writeFileSync(join(project, 'consumer.ts'), CONSUMER);
  // every README's quick start is compiled against the installed package, as a reader would paste it
  const files = ['consumer.ts'];
  for (const name of libraries) {
    const file = `quick-start-${name.split('/')[1]}.ts`;
    writeFileSync(join(project, file), `${quickStart(name)}\nexport {};\n`);
    files.push(file);
  }
  const tsc = join(WORKSPACE, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const moduleResolution of ['node16', 'bundler']) {
    const file = `tsconfig.${moduleResolution}.json`;
    writeFileSync(join(project, file), JSON.stringify(tsconfig(moduleResolution, files)));
    run('node', [tsc, '-p', file]);
    console.log(
      `install test: a consumer and ${files.length - 1} README quick starts type-check under moduleResolution ${moduleResolution}`,
    );
  }

  const help = run('npx', ['--no-install', 'oci-sd', '--help']);
  if (!/^Usage: oci-sd /m.test(help)) throw new Error(`npx oci-sd --help printed:\n${help}`);
  console.log('install test: npx oci-sd --help prints the usage');
  console.log(`install test: passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`install test failed: ${error.message}`);
  if (error.stdout) console.error(error.stdout);
  if (error.stderr) console.error(error.stderr);
  process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
