import type { ProgressEvent, Reporter } from '@oci-sd/release';

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * The sandbox's own lines (its servers, the simulated workflows, the consumer's checks) beside
 * the output of the `oci-sd` processes it runs on the same stream: JSON lines with `--json`, the
 * CLI's plain layout otherwise. On a terminal each line first clears the line a child's spinner
 * may be drawing; the child redraws it below.
 */
export function sandboxReporter(json: boolean, out: Output): Reporter {
  const clear = !json && out.isTTY ? '\r\u001b[2K' : '';
  const write = (text: string) => out.write(`${clear}${text}\n`);
  return {
    emit(event: ProgressEvent) {
      if (json) return write(JSON.stringify({ ...event, time: new Date().toISOString() }));
      switch (event.type) {
        case 'text':
          return write(`${event.title}\n${event.body.replace(/\n$/, '')}`);
        case 'check':
          return write(
            `    ${event.ok ? '✓' : '✗'} ${event.name}${event.detail ? `  ${event.detail}` : ''}`,
          );
        case 'done':
        case 'error':
          return write(event.message);
        default:
          return write(`    ${'message' in event ? event.message : event.type}`);
      }
    },
    close() {},
  };
}
