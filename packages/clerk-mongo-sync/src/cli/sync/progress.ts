/**
 * Progress of a sync run on stderr: a redrawn bar with users/s and ETA on a
 * terminal, a plain line every few seconds otherwise (CI logs, pipes); users
 * first, then organizations.
 */
import type { ProgressReporter } from '../../sync/run.js';

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

const LINE_INTERVAL_MS = 5_000;
const REDRAW_INTERVAL_MS = 100;

function rate(done: number, startedAt: number, now: number): number {
  const seconds = (now - startedAt) / 1000;
  return seconds > 0 ? done / seconds : 0;
}

function eta(done: number, total: number, perSecond: number): string {
  if (perSecond <= 0 || total <= done) return '—';
  const seconds = Math.ceil((total - done) / perSecond);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

const count = (value: number) => value.toLocaleString('en-US');

/**
 * `done` counts users (then organizations) read by this process, `total`
 * those left to read when it started plus `done` (Clerk's count less the
 * resume offset).
 */
export function progressReporter(stream: Stream = process.stderr, clock: () => number = Date.now): ProgressReporter {
  const startedAt = clock();
  let shownAt = 0;
  let drawn = false;

  let unitShown: string | undefined;
  let phaseStartedAt = startedAt;

  const describe = (done: number, total: number, unit: string, now: number) => {
    const perSecond = rate(done, phaseStartedAt, now);
    const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
    return {
      percent,
      text: `${count(done)}/${count(total)} ${unit} · ${count(Math.round(perSecond))} ${unit}/s · ETA ${eta(done, total, perSecond)}`,
    };
  };

  return {
    update(done, total, unit) {
      const now = clock();
      if (unit !== unitShown) {
        // A new phase (organizations after users): its own rate, and a fresh line on a terminal.
        if (drawn && unitShown !== undefined) stream.write('\n');
        unitShown = unit;
        phaseStartedAt = now;
        shownAt = 0;
      }
      const interval = stream.isTTY ? REDRAW_INTERVAL_MS : LINE_INTERVAL_MS;
      if (now - shownAt < interval && done < total) return;
      shownAt = now;
      const { percent, text } = describe(done, total, unit, now);
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)} % ${text}\x1b[K`);
        drawn = true;
      } else {
        stream.write(`sync: ${percent} % ${text}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
