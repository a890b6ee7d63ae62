import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@oci-sd/release';
import { colorsEnabled, createReporter, outputMode } from '../src/ui/reporter';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    out: { isTTY, write: (chunk: string) => chunks.push(chunk) },
    text: () => chunks.join(''),
    chunks,
  };
}

const EVENTS: ProgressEvent[] = [
  {
    type: 'plan',
    title: 'Releasing v1.5.0 of acme/app',
    steps: [
      { id: 'preflight', title: 'Preflight', done: true },
      { id: 'build', title: 'Build workflow', done: false },
    ],
  },
  { type: 'step', step: 'build', title: 'Build workflow', state: 'start' },
  {
    type: 'wait',
    step: 'build',
    message: 'docker-build-push.yml: in_progress',
    url: 'https://github.com/acme/app/actions/runs/7',
  },
  {
    type: 'step',
    step: 'build',
    title: 'Build workflow',
    state: 'done',
    detail: 'run 7 succeeded',
  },
  {
    type: 'done',
    message: 'Released v1.5.0',
    url: 'https://github.com/acme/app/releases/tag/v1.5.0',
  },
];

const ESC = '\u001b[';

describe('output mode', () => {
  it('uses JSON when asked, live progress on a terminal, plain lines in pipes and CI', () => {
    expect(outputMode(true, { isTTY: true, write: () => true }, {})).toBe('json');
    expect(outputMode(false, { isTTY: true, write: () => true }, {})).toBe('tty');
    expect(outputMode(false, { isTTY: false, write: () => true }, {})).toBe('plain');
    expect(outputMode(false, { isTTY: true, write: () => true }, { CI: 'true' })).toBe('plain');
    expect(outputMode(false, { isTTY: true, write: () => true }, { TERM: 'dumb' })).toBe('plain');
  });

  it('respects NO_COLOR', () => {
    expect(colorsEnabled('tty', {})).toBe(true);
    expect(colorsEnabled('tty', { NO_COLOR: '1' })).toBe(false);
    expect(colorsEnabled('plain', {})).toBe(false);
  });
});

describe('reporters', () => {
  it('--json writes one parseable event per line, with a timestamp', () => {
    const s = sink(false);
    const reporter = createReporter('json', s.out, {});
    for (const e of EVENTS) reporter.emit(e);
    reporter.close();
    const lines = s.text().trimEnd().split('\n');
    expect(lines).toHaveLength(EVENTS.length);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.type)).toEqual(EVENTS.map((e) => e.type));
    for (const p of parsed) expect(Date.parse(p.time as string)).not.toBeNaN();
    expect(parsed[2]).toMatchObject({
      step: 'build',
      url: 'https://github.com/acme/app/actions/runs/7',
    });
  });

  it('plain lines carry no escape codes and show waits and links as lines', () => {
    const s = sink(false);
    const reporter = createReporter('plain', s.out, {});
    for (const e of EVENTS) reporter.emit(e);
    reporter.close();
    const text = s.text();
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\r');
    expect(text).toContain('  1. Preflight (done)');
    expect(text).toContain('[2/2] → Build workflow');
    expect(text).toContain(
      '… docker-build-push.yml: in_progress https://github.com/acme/app/actions/runs/7',
    );
    expect(text).toMatch(/\[2\/2\] ✓ Build workflow: run 7 succeeded \(\d+s\)/);
    expect(text).toContain('Released v1.5.0 https://github.com/acme/app/releases/tag/v1.5.0');
  });

  it('a terminal gets a spinner redrawn in place, colors unless NO_COLOR', () => {
    const colored = sink(true);
    const reporter = createReporter('tty', colored.out, {});
    for (const e of EVENTS) reporter.emit(e);
    reporter.close();
    expect(colored.text()).toContain(`${ESC}32m`);
    expect(
      colored.chunks.some(
        (c) => c.startsWith(`\r${ESC}2K`) && c.includes('docker-build-push.yml: in_progress'),
      ),
    ).toBe(true);

    const plain = sink(true);
    const noColor = createReporter('tty', plain.out, { NO_COLOR: '1' });
    for (const e of EVENTS) noColor.emit(e);
    noColor.close();
    // only the line-clearing sequence of the spinner remains
    expect(plain.text().replaceAll(`${ESC}2K`, '')).not.toContain(ESC);
    expect(plain.text()).toContain('✓ Build workflow');
  });
});
