import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  availableOrRequired,
  canonicalize,
  gitSync,
  isRequired,
  projectWithRemote,
  rejectionOf,
  tempDir,
  thrownBy,
} from '../src/index.ts';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(`failed with ${code}`);
  }
}
class OtherError extends Error {}

describe('rejectionOf', () => {
  it('returns the error of the expected class, with the expected code', async () => {
    const error = await rejectionOf(
      Promise.reject(new CodedError('ROLLBACK')),
      CodedError,
      'ROLLBACK',
    );
    expect(error.code).toBe('ROLLBACK');
  });
  it('fails when the promise resolves, rejects with another class or another code', async () => {
    await expect(rejectionOf(Promise.resolve(1), CodedError)).rejects.toThrow(/resolved/);
    await expect(rejectionOf(Promise.reject(new OtherError('x')), CodedError)).rejects.toThrow(
      /expected a CodedError, found OtherError: x/,
    );
    await expect(rejectionOf(Promise.reject(new CodedError('A')), CodedError, 'B')).rejects.toThrow(
      /failed with A/,
    );
  });
});

describe('thrownBy', () => {
  it('returns the thrown error of the expected class', () => {
    expect(
      thrownBy(
        () => {
          throw new CodedError('MALFORMED');
        },
        CodedError,
        'MALFORMED',
      ).code,
    ).toBe('MALFORMED');
  });
  it('fails when nothing or something else is thrown', () => {
    expect(() => thrownBy(() => 1, CodedError)).toThrow(/nothing was/);
    expect(() =>
      thrownBy(() => {
        throw 'a string';
      }, CodedError),
    ).toThrow(/found a string/);
  });
});

describe('OCI_SD_REQUIRE', () => {
  it('lets a suite skip when nothing is required, and fails it when the missing thing is', () => {
    const saved = process.env.OCI_SD_REQUIRE;
    try {
      delete process.env.OCI_SD_REQUIRE;
      expect(availableOrRequired('fixtures', false, 'gone')).toBe(false);
      process.env.OCI_SD_REQUIRE = 'docker-registry, fixtures';
      expect(isRequired('fixtures')).toBe(true);
      expect(availableOrRequired('fixtures', true, 'gone')).toBe(true);
      expect(() => availableOrRequired('fixtures', false, 'gone')).toThrow(
        'OCI_SD_REQUIRE names fixtures, but gone',
      );
      process.env.OCI_SD_REQUIRE = 'docker-registry';
      expect(availableOrRequired('fixtures', false, 'gone')).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.OCI_SD_REQUIRE;
      else process.env.OCI_SD_REQUIRE = saved;
    }
  });
  it('fails a suite at import in a process whose fixtures folder is missing', () => {
    const entry = fileURLToPath(new URL('../src/fixtures.ts', import.meta.url));
    const run = (env: Record<string, string>) => {
      try {
        execFileSync(process.execPath, ['-e', `import(${JSON.stringify(entry)})`], {
          env: { ...process.env, ...env },
          stdio: 'pipe',
        });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    expect(run({ OCI_SD_FIXTURES: '/nonexistent/fixtures', OCI_SD_REQUIRE: '' })).toBe(0);
    expect(run({ OCI_SD_FIXTURES: '/nonexistent/fixtures', OCI_SD_REQUIRE: 'fixtures' })).not.toBe(
      0,
    );
  });
});

describe('canonicalize', () => {
  it('writes OLPC canonical JSON: sorted keys, no whitespace, only quote and backslash escaped', () => {
    expect(canonicalize({ b: [1, 'x"\\'], a: { d: true, c: null } }).toString()).toBe(
      '{"a":{"c":null,"d":true},"b":[1,"x\\"\\\\"]}',
    );
  });
});

describe('projectWithRemote', () => {
  it('commits the files on main and pushes them to a bare remote', () => {
    const { dir, remove } = tempDir('oci-sd-test-support-');
    try {
      const { work, bare } = projectWithRemote(dir, { 'a/b.txt': 'hello\n' });
      expect(existsSync(join(work, 'a', 'b.txt'))).toBe(true);
      expect(gitSync(bare, 'rev-parse', 'main')).toBe(gitSync(work, 'rev-parse', 'HEAD'));
      expect(gitSync(work, 'status', '--porcelain')).toBe('');
    } finally {
      remove();
    }
  });
});
