/** What a long-running command reports; renderers turn these into TTY progress, plain lines or JSON lines. */
export type ProgressEvent =
  | { type: 'plan'; title: string; steps: { id: string; title: string; done: boolean }[] }
  | {
      type: 'step';
      step: string;
      title: string;
      state: 'start' | 'done' | 'skipped' | 'failed';
      detail?: string;
    }
  | { type: 'wait'; step: string; message: string; url?: string }
  | { type: 'info'; step?: string; message: string; url?: string }
  | { type: 'action'; step: string; message: string; command: string }
  | { type: 'check'; step: string; name: string; ok: boolean; detail: string }
  | { type: 'text'; title: string; body: string }
  | { type: 'done'; message: string; url?: string }
  | { type: 'error'; message: string; code: string; exitCode: number };

export interface Reporter {
  emit(event: ProgressEvent): void;
  /** Stops timers (spinners) so the process can exit. */
  close(): void;
}
