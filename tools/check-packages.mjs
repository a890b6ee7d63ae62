#!/usr/bin/env node
// Hygiene of what npm would publish, checked on the packed tarballs (not the workspace's files):
// publint, arethetypeswrong (ESM-only profile), a manifest free of workspace-only parts (the
// `@oci-sd/source` condition, src/ paths, scripts, devDependencies), the root LICENSE in every
// tarball, no source maps, nothing outside what a consumer needs. Prints each tarball's files.
// Needs a build first (`npx nx run-many -t build`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { WORKSPACE, packAll } from './packages.mjs';

/** What a consumer needs: the built files, the action's metadata, the bins, README and LICENSE. */
const ALLOWED_FILE =
  /^(dist\/[^/]+\.(js|d\.ts|md)|bin\/[\w-]+\.js|action\.yml|README\.md|LICENSE|package\.json)$/;
const WORKSPACE_ONLY_KEYS = ['scripts', 'devDependencies', 'nx'];

const rootLicense = readFileSync(join(WORKSPACE, 'LICENSE'), 'utf8');
const attw = join(WORKSPACE, 'node_modules', '.bin', 'attw');
const destination = mkdtempSync(join(tmpdir(), 'oci-sd-packs-'));
const problems = [];
try {
  const started = performance.now();
  const packs = packAll(destination);
  for (const pack of packs) {
    const fail = (message) => problems.push(`${pack.name}: ${message}`);
    const member = (path) =>
      execFileSync('tar', ['-xOzf', pack.tarball, `package/${path}`], { encoding: 'utf8' });
    console.log(
      `${pack.name}: ${pack.files.length} files, ${(pack.size / 1024).toFixed(0)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
    );
    for (const file of pack.files) {
      console.log(`  ${file.path} (${file.size} B)`);
      if (!ALLOWED_FILE.test(file.path)) fail(`ships ${file.path}, which no consumer needs`);
    }

    const text = member('package.json');
    const manifest = JSON.parse(text);
    if (text.includes('@oci-sd/source')) fail('package.json keeps the @oci-sd/source condition');
    for (const key of WORKSPACE_ONLY_KEYS)
      if (key in manifest) fail(`package.json keeps the workspace-only "${key}"`);
    const entryPoints = JSON.stringify([
      manifest.exports,
      manifest.main,
      manifest.types,
      manifest.bin,
    ]);
    if (/"(\.\/)?(src|test|\.\.)\//.test(entryPoints))
      fail(`package.json points at unpublished paths: ${entryPoints}`);
    if (!pack.files.some((file) => file.path === 'README.md')) fail('ships no README.md');
    if (!manifest.files?.includes('LICENSE')) fail('"files" does not list LICENSE');
    if (!pack.files.some((file) => file.path === 'LICENSE')) fail('ships no LICENSE');
    else if (member('LICENSE') !== rootLicense) fail('LICENSE differs from the root LICENSE');

    const { messages } = await publint({
      pack: { tarball: new Uint8Array(readFileSync(pack.tarball)).buffer },
      level: 'suggestion',
      strict: true,
    });
    for (const message of messages) {
      const line = `publint ${message.type}: ${formatMessage(message, manifest)}`;
      if (message.type === 'suggestion') console.log(`  ${line}`);
      else fail(line);
    }

    try {
      execFileSync(
        attw,
        [pack.tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (error) {
      fail(`arethetypeswrong (esm-only):\n${error.stdout}${error.stderr}`);
    }
  }
  console.log(
    `package checks: ${packs.length} tarballs, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  rmSync(destination, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`package checks failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
