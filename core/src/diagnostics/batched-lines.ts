/**
 * Log lines written together: the lines logged in one turn of the event loop go out in one write
 * at its end, not one write each. On a pipe or a file every write is a system call, and a busy
 * service logs a line per event and per delivery (about 6 % of its time, one write each). Lines
 * still waiting when the process exits are written by its `exit` handler, so none is lost to an
 * exit; only a kill (SIGKILL) loses what one turn logged.
 */
import type { DestinationStream } from 'pino';

/** The flushes of the destinations with lines waiting, for the exit handler. */
const waiting = new Set<() => void>();
let exitHooked = false;

export function batchedLines(out: { write(text: string): unknown }): DestinationStream {
  let lines: string[] = [];
  const flush = () => {
    waiting.delete(flush);
    const text = lines.join('');
    lines = [];
    if (text) out.write(text);
  };
  return {
    write(line: string) {
      lines.push(line);
      if (lines.length > 1) return;
      waiting.add(flush);
      setImmediate(flush);
      if (!exitHooked) {
        exitHooked = true;
        process.once('exit', () => {
          for (const pending of waiting) pending();
        });
      }
    },
  };
}
