import type { ProgressEvent, Reporter } from '@oci-sd/release';

export type OutputMode = 'tty' | 'plain' | 'json';

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** `--json` wins; otherwise live progress on a terminal, plain lines elsewhere (CI logs, pipes). */
export function outputMode(
  json: boolean,
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
): OutputMode {
  if (json) return 'json';
  return out.isTTY && env.TERM !== 'dumb' && !env.CI ? 'tty' : 'plain';
}

/** Colors only on a terminal and never when NO_COLOR is set (https://no-color.org: any non-empty value). */
export function colorsEnabled(mode: OutputMode, env: NodeJS.ProcessEnv = process.env): boolean {
  return mode === 'tty' && !env.NO_COLOR && env.FORCE_COLOR !== '0';
}

function palette(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    cyan: wrap(36, 39),
  };
}

function seconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One JSON object per line, each with a timestamp: for scripts and CI. */
class JsonReporter implements Reporter {
  constructor(private readonly out: Output) {}
  emit(event: ProgressEvent): void {
    this.out.write(`${JSON.stringify({ ...event, time: new Date().toISOString() })}\n`);
  }
  close(): void {}
}

const MARKS = { start: '→', done: '✓', skipped: '↷', failed: '✗' } as const;

/** Human lines; on a terminal a spinner with elapsed time redraws the current wait in place. */
class HumanReporter implements Reporter {
  private readonly c: ReturnType<typeof palette>;
  private spinner:
    { text: string; started: number; timer: NodeJS.Timeout; frame: number } | undefined;
  private readonly stepStarted = new Map<string, number>();
  private stepIndex = new Map<string, number>();
  /** Plain output prints a wait once, not at every poll. */
  private lastWait = '';
  private total = 0;

  constructor(
    private readonly out: Output,
    private readonly live: boolean,
    colors: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.c = palette(colors);
  }

  private line(text: string): void {
    this.clearSpinner();
    this.out.write(`${text}\n`);
    this.redrawSpinner();
  }

  private prefix(step: string): string {
    const index = this.stepIndex.get(step);
    return index === undefined ? '' : this.c.dim(`[${index}/${this.total}] `);
  }

  emit(event: ProgressEvent): void {
    const c = this.c;
    switch (event.type) {
      case 'plan':
        this.total = event.steps.length;
        this.stepIndex = new Map(event.steps.map((s, i) => [s.id, i + 1]));
        this.line(c.bold(event.title));
        for (const [i, s] of event.steps.entries())
          this.line(`  ${i + 1}. ${s.title}${s.done ? c.dim(' (done)') : ''}`);
        return;
      case 'step': {
        this.stopSpinner();
        const mark =
          event.state === 'done'
            ? c.green(MARKS.done)
            : event.state === 'failed'
              ? c.red(MARKS.failed)
              : event.state === 'skipped'
                ? c.dim(MARKS.skipped)
                : c.cyan(MARKS.start);
        let elapsed = '';
        if (event.state === 'start') this.stepStarted.set(event.step, this.now());
        else if (this.stepStarted.has(event.step))
          elapsed = c.dim(` (${seconds(this.now() - this.stepStarted.get(event.step)!)})`);
        this.line(
          `${this.prefix(event.step)}${mark} ${event.title}${event.detail ? `: ${event.detail}` : ''}${elapsed}`,
        );
        return;
      }
      case 'wait': {
        const text = `${event.message}${event.url ? ` ${c.dim(event.url)}` : ''}`;
        if (this.live) this.startSpinner(text);
        else if (text !== this.lastWait) this.line(`    … ${text}`);
        this.lastWait = text;
        return;
      }
      case 'info':
        this.line(`    ${event.message}${event.url ? ` ${c.cyan(event.url)}` : ''}`);
        return;
      case 'action':
        this.line(`    ${c.yellow('!')} ${event.message}\n      ${c.bold(event.command)}`);
        return;
      case 'check':
        this.line(
          `    ${event.ok ? c.green('✓') : c.red('✗')} ${event.name}${event.detail ? c.dim(`  ${event.detail}`) : ''}`,
        );
        return;
      case 'text':
        this.line(`${c.bold(event.title)}\n${event.body.replace(/\n$/, '')}`);
        return;
      case 'done':
        this.stopSpinner();
        this.line(`${c.green(c.bold(event.message))}${event.url ? ` ${c.cyan(event.url)}` : ''}`);
        return;
      case 'error':
        this.stopSpinner();
        this.line(c.red(event.message));
        return;
    }
  }

  private startSpinner(text: string): void {
    if (this.spinner) {
      // a new wait message in the same wait keeps the clock running
      this.spinner.text = text;
      this.redrawSpinner();
      return;
    }
    const timer = setInterval(() => {
      if (!this.spinner) return;
      this.spinner.frame++;
      this.redrawSpinner();
    }, 120);
    timer.unref();
    this.spinner = { text, started: this.now(), timer, frame: 0 };
    this.redrawSpinner();
  }

  private redrawSpinner(): void {
    if (!this.spinner) return;
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    const s = this.spinner;
    this.out.write(
      `\r\u001b[2K    ${this.c.cyan(frames[s.frame % frames.length]!)} ${s.text} ${this.c.dim(seconds(this.now() - s.started))}`,
    );
  }

  private clearSpinner(): void {
    if (this.spinner) this.out.write('\r\u001b[2K');
  }

  private stopSpinner(): void {
    if (!this.spinner) return;
    clearInterval(this.spinner.timer);
    this.clearSpinner();
    this.spinner = undefined;
  }

  close(): void {
    this.stopSpinner();
  }
}

export function createReporter(
  mode: OutputMode,
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
): Reporter {
  if (mode === 'json') return new JsonReporter(out);
  return new HumanReporter(out, mode === 'tty', colorsEnabled(mode, env));
}
