/**
 * Reading what the event-file test reporter (test/fixtures/plugins/event-file) wrote, and a
 * stopwatch on the master's own websocket to measure when `builds/N/finished` left the master.
 */
import { existsSync, readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface Recorded {
  hook: 'buildStarted' | 'buildFinished' | 'buildsetFinished' | 'workerMissing';
  at: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event: { id: string; event: string; payload: any };
}

export function readRecorded(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded);
}

/** Polls `file` until `done(records)` holds; returns the records then. */
export async function waitForRecorded(
  file: string,
  done: (records: Recorded[]) => boolean,
  timeoutMs = 30_000,
  what = 'the expected events',
): Promise<Recorded[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = readRecorded(file);
    if (done(records)) return records;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; recorded so far:\n${records.map((r) => `${r.hook} ${r.event.id}`).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const buildEvents = (records: Recorded[], buildid: number) =>
  records.filter(
    (r) => (r.hook === 'buildStarted' || r.hook === 'buildFinished') && r.event.payload.buildid === buildid,
  );

/** Records when each `builds/N/finished` frame arrives from the master (a millisecond stand-in for complete_at). */
export class FinishedClock {
  readonly finishedAt = new Map<number, number>();
  private constructor(private readonly socket: WebSocket) {}

  static open(masterUrl: string, headers: Record<string, string> = {}): Promise<FinishedClock> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${masterUrl.replace(/^http/, 'ws')}ws`, { headers });
      const clock = new FinishedClock(socket);
      socket.on('open', () =>
        socket.send(JSON.stringify({ cmd: 'startConsuming', path: 'builds/*/finished', _id: 1 })),
      );
      socket.on('error', reject);
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { k?: string; m?: { buildid: number }; _id?: number };
        if (frame._id === 1) resolve(clock);
        if (frame.k?.endsWith('/finished') && frame.m) clock.finishedAt.set(frame.m.buildid, Date.now());
      });
    });
  }

  close(): void {
    this.socket.terminate();
  }
}
