import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BINARY = process.env.OCI_SD_REGISTRY_BINARY ?? '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the host part of image references. */
  host: string;
  stop(): Promise<void>;
}

/**
 * True when Debian's docker-registry is installed (`.ci/run` installs it). When it is missing and
 * `OCI_SD_REQUIRE` lists `docker-registry` (as CI sets it), throws instead, so a suite that would
 * skip fails naming the package to install.
 */
export function registryAvailable(): boolean {
  if (existsSync(REGISTRY_BINARY)) return true;
  if (
    (process.env.OCI_SD_REQUIRE ?? '').split(',').some((part) => part.trim() === 'docker-registry')
  )
    throw new Error(
      `OCI_SD_REQUIRE names docker-registry, but ${REGISTRY_BINARY} is missing (apt-get install docker-registry)`,
    );
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilServing(
  url: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15 s: ${log()}`);
}

/**
 * Starts a throwaway docker-registry (distribution 2.8, no auth, filesystem storage in a temp
 * folder) on a free loopback port. `stop()` kills it and removes its storage; calling it again
 * (or concurrently) waits for that same stop.
 */
export async function startRegistry(): Promise<TestRegistry> {
  if (!registryAvailable())
    throw new Error(
      `${REGISTRY_BINARY} not found: install Debian's docker-registry package (apt-get install docker-registry)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'oci-sd-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Listened for from the start: a child that already exited emits no further 'exit' to wait for.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  // Idempotent: every call gets the one stop (a child killed by a signal keeps `exitCode === null`).
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await waitUntilServing(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, host: `127.0.0.1:${port}`, stop };
}

export { startRegistryProxy } from './proxy';
export type { Fault, ProxyOptions, RegistryProxy } from './proxy';
