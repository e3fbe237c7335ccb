/** A one-line progress bar on a terminal: redrawn in place with `\r`, and drawn only when the stream is a TTY. */
import type { CliStream } from './command.js';

/** A progress bar; on a stream that is not a TTY every method does nothing. */
export interface ProgressBar {
  /** Marks `done` of the total as finished, with a short status after the bar. */
  update(done: number, status: string): void;
  /** Erases the bar, so the summary starts on a clean line. */
  clear(): void;
}

const WIDTH = 30;
/** Redraw at most this many times over the whole run; a terminal redrawn per row only slows the import. */
const STEPS = 200;

/** Creates a progress bar for `total` items on `stream`. */
export function createProgressBar(stream: CliStream, total: number, label: string): ProgressBar {
  if (stream.isTTY !== true || total === 0) return { update() {}, clear() {} };
  let drawnStep = -1;
  let drawn = false;
  return {
    update(done, status) {
      const step = Math.floor((done * STEPS) / total);
      if (step === drawnStep && done !== total) return;
      drawnStep = step;
      const filled = Math.round((done * WIDTH) / total);
      const percent = String(Math.floor((done * 100) / total)).padStart(3);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}% ${done}/${total} ${status}`;
      // A line that wraps can no longer be redrawn in place, so it is cut to the terminal's width.
      stream.write(`\r\x1b[K${stream.columns ? line.slice(0, stream.columns - 1) : line}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
