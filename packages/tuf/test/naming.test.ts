import { describe, expect, it } from 'vitest';
import { addSignerBranchName, releaseTargetName, signingBranchName } from '../src/index';

describe('signing event naming', () => {
  it('makes the branch name the seed workflow makes', () => {
    expect(signingBranchName('1.5.0', 24609867231)).toBe('sign/release-1-5-0-24609867231');
    expect(signingBranchName('2.0.0-rc.1+b/7 x', '9')).toBe('sign/release-2-0-0-rc-1-b-7-x-9');
  });

  it('names release targets under <project>/releases/', () => {
    expect(releaseTargetName('oci-prometheus-sd-proxy', 'v1.5.0')).toBe(
      'oci-prometheus-sd-proxy/releases/v1.5.0.json',
    );
    expect(releaseTargetName('p', 'release/v1')).toBe('p/releases/release_v1.json');
  });
});

describe('signer onboarding branch', () => {
  it('is sign/add-signer-<user>, without @, lower case', () => {
    expect(addSignerBranchName('@NewMaintainer')).toBe('sign/add-signer-newmaintainer');
    expect(addSignerBranchName('bob')).toBe('sign/add-signer-bob');
  });
});
