/** The one line console prints for an event. */
import { statusToString, type BbEvent } from '@bbreporters/core';

export interface ConsoleLine {
  event: BbEvent['event'];
  text: string;
  url?: string;
}

const upper = (results: number | null | undefined) => statusToString(results).toUpperCase();

export function lineFor(event: BbEvent): ConsoleLine {
  switch (event.event) {
    case 'buildStarted': {
      const b = event.payload;
      return { event: event.event, text: `${b.builder.name} #${b.number} started`, ...(b.url ? { url: b.url } : {}) };
    }
    case 'buildFinished': {
      const b = event.payload;
      return {
        event: event.event,
        text: `${b.builder.name} #${b.number} ${upper(b.results)}: ${b.state_string}`,
        ...(b.url ? { url: b.url } : {}),
      };
    }
    case 'buildsetFinished': {
      const { buildset, builds } = event.payload;
      const each = builds.map((b) => `${b.builder.name} #${b.number} ${upper(b.results)}`).join(', ');
      return {
        event: event.event,
        text: `buildset ${buildset.bsid} ${upper(buildset.results)}: ${builds.length} build${builds.length === 1 ? '' : 's'}${each ? ` (${each})` : ''}`,
      };
    }
    case 'workerMissing': {
      const w = event.payload.worker;
      const notify = w.notify?.length ? ` (notify: ${w.notify.join(', ')})` : '';
      return {
        event: event.event,
        text: `worker ${w.name} missing${w.last_connection ? ` since ${w.last_connection}` : ''}${notify}`,
      };
    }
  }
}

/** Renders a line; control characters from event data are escaped so one event is one line. */
export function render(line: ConsoleLine, format: 'text' | 'json'): string {
  if (format === 'json') return JSON.stringify(line);
  const text = `[${line.event}] ${line.text}${line.url ? ` ${line.url}` : ''}`;
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
