import { describe, expect, it } from 'vitest';
import { redact } from '../src/index';

describe('redact', () => {
  it('hides token shapes and given secrets', () => {
    const pat = 'ghp_' + 'a1B2'.repeat(9);
    expect(redact(`Authorization: token ${pat}`)).toBe('Authorization: token ***');
    expect(redact('x-access-token:s3cr3t-value@host', ['s3cr3t-value'])).toBe(
      'x-access-token:***@host',
    );
    expect(redact('nothing to hide')).toBe('nothing to hide');
  });
});
