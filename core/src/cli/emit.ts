/**
 * `bbreporters emit`: sends events (envelopes or HttpStatusPush bodies) to a running service's
 * http source, one POST each, and prints each answer.
 */
import { readFileSync } from 'node:fs';
import { reasonOf } from '../diagnostics/errors.js';
import { exitCodes, readText, requireString, UsageError, write, type Command } from './command.js';

export const emitCommand: Command = {
  name: 'emit',
  summary: 'Send events to a running service (its http source)',
  usage:
    'bbreporters emit --url URL [--token TOKEN | --user USER --password PASSWORD] [FILE...]\n\n' +
    'Each FILE holds one JSON event, a JSON array of events, or JSON Lines; "-" or no FILE reads standard input.\n' +
    'The token and password may also come from BBREPORTERS_TOKEN and BBREPORTERS_PASSWORD.',
  options: {
    url: { type: 'string', short: 'u' },
    token: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
  },
  optionHelp: {
    url: "The http source's endpoint, e.g. http://127.0.0.1:8020/",
    token: 'Bearer token (or set BBREPORTERS_TOKEN).',
    user: 'HTTP Basic user.',
    password: 'HTTP Basic password (or set BBREPORTERS_PASSWORD).',
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const url = requireString(values, 'url');
    if (!/^https?:\/\//.test(url)) throw new UsageError('--url must be an http:// or https:// URL');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = typeof values.token === 'string' ? values.token : io.env.BBREPORTERS_TOKEN;
    const password = typeof values.password === 'string' ? values.password : io.env.BBREPORTERS_PASSWORD;
    if (typeof values.user === 'string') {
      if (!password) throw new UsageError('--user needs --password (or BBREPORTERS_PASSWORD)');
      headers.authorization = `Basic ${Buffer.from(`${values.user}:${password}`).toString('base64')}`;
    } else if (token) headers.authorization = `Bearer ${token}`;

    let events: Array<{ where: string; body: string }>;
    try {
      events = [];
      for (const file of positionals.length ? positionals : ['-'])
        events.push(...splitEvents(file, file === '-' ? await readText(io.stdin) : readFileSync(file, 'utf8')));
    } catch (error) {
      write(io.stderr, `error: ${reasonOf(error)}`);
      return exitCodes.invalid;
    }
    let code: number = exitCodes.ok;
    for (const { where, body } of events) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body });
      } catch (error) {
        write(io.stderr, `${where}: cannot reach ${url}: ${reasonOf((error as { cause?: unknown }).cause ?? error)}`);
        return exitCodes.failure;
      }
      const text = (await response.text()).trim();
      write(response.ok ? io.stdout : io.stderr, `${where}: ${response.status} ${text}`);
      if (!response.ok) code = Math.max(code, response.status >= 500 ? exitCodes.failure : exitCodes.invalid);
    }
    return code;
  },
};

/** One JSON value (an array is several events), or JSON Lines. Each event is sent as its own text. */
function splitEvents(file: string, text: string): Array<{ where: string; body: string }> {
  const name = file === '-' ? '<stdin>' : file;
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value)
      ? value.map((v, i) => ({ where: `${name}[${i}]`, body: JSON.stringify(v) }))
      : [{ where: name, body: text }];
  } catch {
    return text.split('\n').flatMap((line, i) => (line.trim() ? [{ where: `${name}:${i + 1}`, body: line }] : []));
  }
}
