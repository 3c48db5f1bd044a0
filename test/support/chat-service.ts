/**
 * A chat reporter run the way users run it: `bbreporters run` (the real CLI) with an http source,
 * fed captured Buildbot 3.7 builds, its state folder (ledger, message ids) kept for inspection.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatusPushDir, runCli, startService, tempDir, type CliResult } from './bbreporters-cli.js';

export interface ChatReporter {
  plugin: string;
  name: string;
  options: Record<string, unknown>;
}

export interface ChatService {
  /** Posts one HttpStatusPush body to the service's http source. */
  post(body: Record<string, unknown>): Promise<void>;
  /** Every file under the state folder (the ledger, message ids) as text: where a secret must not be. */
  stateText(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** A captured build body (core/fixtures/httpstatuspush/NAME.json), changed by `edit`. */
export type BuildBody = Record<string, unknown> & { builder: { name: string } };

export function capturedBuild(name: string, edit: (body: BuildBody) => void = () => {}): BuildBody {
  const body = JSON.parse(readFileSync(join(httpStatusPushDir, `${name}.json`), 'utf8')) as BuildBody;
  edit(body);
  return body;
}

function configFile(reporter: ChatReporter): string {
  const dir = tempDir();
  const config = join(dir, 'config.yaml');
  // JSON is YAML: the options go in as they are.
  writeFileSync(
    config,
    JSON.stringify({
      stateDir: 'state',
      sources: [{ type: 'http', listen: '127.0.0.1:0' }],
      reporters: [{ ...reporter, delivery: { baseDelayMs: 20, maxDelayMs: 100, retries: 3 } }],
    }),
  );
  return config;
}

export async function startChat(reporter: ChatReporter): Promise<ChatService> {
  const config = configFile(reporter);
  const service = await startService(config);
  const state = join(config, '..', 'state');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
  return {
    async post(body) {
      const reply = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (reply.status !== 200) throw new Error(`the http source answered ${reply.status}`);
    },
    stateText: () =>
      files(state)
        .map((f) => readFileSync(f, 'latin1'))
        .join('\n'),
    stderr: service.stderr,
    stop: () => service.stop(),
  };
}

/** `bbreporters preview` of one reporter for one event body. */
export function previewChat(reporter: ChatReporter, body: Record<string, unknown>): Promise<CliResult> {
  const config = configFile(reporter);
  const event = join(config, '..', 'event.json');
  writeFileSync(event, JSON.stringify(body));
  return runCli(['preview', '--config', config, '--reporter', reporter.name, '--event', event]);
}

/** Resolves once `check` holds (polled), rejects after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
