import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/index';
import type { VerificationReport } from '../src/index';

const report: VerificationReport = {
  ok: false,
  image: { reference: 'ghcr.io/acme/app:v1.5.0', digest: `sha256:${'a'.repeat(64)}` },
  checks: [
    { check: 'image-signature', status: 'pass', summary: 'image signature verified' },
    {
      check: 'attestation:https://cyclonedx.org/bom',
      status: 'fail',
      code: 'IDENTITY_MISMATCH',
      summary: '1 attestation found, none verify',
      expected: { identity: 'a' },
      found: { identity: ['b'] },
    },
    { check: 'release-source', status: 'skip', summary: 'not checked' },
  ],
};

describe('formatReport', () => {
  it('prints the resolved digest, one marked line per check, and expected/found/code under failures', () => {
    expect(formatReport(report)).toBe(
      [
        `image ghcr.io/acme/app:v1.5.0 -> sha256:${'a'.repeat(64)}`,
        '✓ image-signature: image signature verified',
        '✗ attestation:https://cyclonedx.org/bom: 1 attestation found, none verify',
        '    code:     IDENTITY_MISMATCH',
        '    expected: {"identity":"a"}',
        '    found:    {"identity":["b"]}',
        '- release-source: not checked',
        'FAILED: 1 of 3 checks failed',
        '',
      ].join('\n'),
    );
  });

  it('lists the candidates each check rejected, under passes and failures, unless details are off', () => {
    const malformed = {
      location: 'referrer sha256:1',
      layout: 'referrer',
      code: 'MALFORMED',
      reason: 'layer: expected a Sigstore bundle, found garbage',
    };
    const withRejected: VerificationReport = {
      ok: false,
      checks: [
        {
          check: 'image-signature',
          status: 'pass',
          summary: 'image signature verified (referrer sha256:2); 1 other rejected',
          evidence: { rejected: [malformed] },
        },
        {
          check: 'attestation:x',
          status: 'fail',
          code: 'IDENTITY_MISMATCH',
          summary: '2 x attestations found, none verify',
          evidence: {
            rejected: [
              malformed,
              {
                ...malformed,
                location: 'referrer sha256:3',
                code: 'IDENTITY_MISMATCH',
                reason: 'identity: expected a, found b',
              },
            ],
          },
        },
      ],
    };
    expect(formatReport(withRejected)).toBe(
      [
        '✓ image-signature: image signature verified (referrer sha256:2); 1 other rejected',
        '    rejected: referrer sha256:1: MALFORMED: layer: expected a Sigstore bundle, found garbage',
        '✗ attestation:x: 2 x attestations found, none verify',
        '    code:     IDENTITY_MISMATCH',
        '    rejected: referrer sha256:1: MALFORMED: layer: expected a Sigstore bundle, found garbage',
        '    rejected: referrer sha256:3: IDENTITY_MISMATCH: identity: expected a, found b',
        'FAILED: 1 of 2 checks failed',
        '',
      ].join('\n'),
    );
    expect(formatReport(withRejected, { details: false })).not.toContain('rejected:');
  });

  it('escapes control characters that signers and pushers put in summaries, reasons and values', () => {
    const hostile = '\u001b[2J\u0007predicate\nline';
    const text = formatReport({
      ok: false,
      checks: [
        {
          check: 'image-signature',
          status: 'fail',
          code: 'MALFORMED',
          summary: `1 image signature found, none verify: ${hostile}`,
          found: hostile,
          evidence: {
            rejected: [
              { location: 'referrer x', layout: 'referrer', code: 'MALFORMED', reason: hostile },
            ],
          },
        },
      ],
    });
    const controls = [...text].filter(
      (c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f')),
    );
    expect(controls).toEqual([]);
    expect(text).toContain('none verify: \\u001b[2J\\u0007predicate\\u000aline');
    expect(text).toContain('    found:    \\u001b[2J\\u0007predicate\\u000aline');
    expect(text).toContain('    rejected: referrer x: MALFORMED: \\u001b[2J');
  });

  it('colours only when asked, and says PASSED with the count when all pass', () => {
    expect(formatReport(report)).not.toContain('\u001b[');
    expect(formatReport(report, { color: true })).toContain('\u001b[31m✗\u001b[39m');
    const passed = formatReport({ ok: true, checks: [report.checks[0]!] });
    expect(passed.trimEnd().split('\n').pop()).toBe('PASSED: 1 check verified');
  });
});
