import { describe, expect, it } from 'vitest';
import { verifyRoleThreshold } from '@oci-sd/tuf';
import { GITHUB_TUF_ROOT } from '../src/index';

interface Root {
  signatures: { keyid: string; sig: string }[];
  signed: {
    version: number;
    keys: Record<string, never>;
    roles: { root: { keyids: string[]; threshold: number } };
  };
}

describe('the embedded root of GitHub’s TUF repository', () => {
  const root = GITHUB_TUF_ROOT as Root;

  it('is root v1 and meets its own root threshold (every listed signature verifies)', () => {
    expect(root.signed.version).toBe(1);
    const result = verifyRoleThreshold(root, root.signed.keys, {
      name: 'root',
      ...root.signed.roles.root,
    });
    expect(result.verified).toHaveLength(root.signed.roles.root.keyids.length);
    expect(root.signed.roles.root.threshold).toBe(3);
  });

  it('no signature verifies once a signed field changes', () => {
    const changed = structuredClone(root);
    changed.signed.version = 2;
    const result = verifyRoleThreshold(changed, changed.signed.keys, {
      name: 'root',
      ...changed.signed.roles.root,
    });
    expect(result.verified).toEqual([]);
  });
});
