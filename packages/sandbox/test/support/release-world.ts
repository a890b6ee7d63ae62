import { rmSync } from 'node:fs';
import { startRegistry, type TestRegistry } from '@oci-sd/test-registry';
import { createSandbox, type Sandbox } from '../../src/sandbox';
import { buildCliForTests } from './cli-binary';

/** What an end-to-end `oci-sd release` test runs against: the CLI built from src/, a docker-registry, and a sandbox pushing to it. */
export interface ReleaseWorld {
  bin: string;
  registry: TestRegistry;
  sandbox: Sandbox;
  /** Stops the sandbox and the registry (again if a test stopped it already) and removes the CLI bundle. */
  stop(): Promise<void>;
}

/** Starts all three; whatever started is stopped again when another part fails. */
export async function startReleaseWorld(): Promise<ReleaseWorld> {
  const [built, started] = await Promise.allSettled([buildCliForTests(), startRegistry()]);
  const bin = built.status === 'fulfilled' ? built.value : undefined;
  const registry = started.status === 'fulfilled' ? started.value : undefined;
  let sandbox: Sandbox | undefined;
  try {
    if (!bin || !registry)
      throw built.status === 'rejected' ? built.reason : (started as PromiseRejectedResult).reason;
    sandbox = await createSandbox({ registryHost: registry.host });
  } catch (error) {
    await registry?.stop();
    if (bin) rmSync(bin, { force: true });
    throw error;
  }
  return {
    bin,
    registry,
    sandbox,
    async stop() {
      await sandbox.stop();
      await registry.stop();
      rmSync(bin, { force: true });
    },
  };
}
