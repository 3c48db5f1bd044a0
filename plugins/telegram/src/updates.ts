/**
 * How the bot hears its chats: long polling (`getUpdates` with offsets, the default), or a web-hook
 * on the http source's server that Telegram posts to with a secret header. Either starts by
 * asking who the bot is (getMe) and publishing its commands (setMyCommands); a failure waits
 * `retryDelay` and tries again until stopped.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, WebhookHandler } from '@bbreporters/core';
import { GrammyError, InputFile, type Api } from 'grammy';
import type { BotCommand, Update } from 'grammy/types';
import { apiSignal } from './api-signal.js';

export interface UpdateSettings {
  /** Seconds one getUpdates waits. */
  pollTimeout: number;
  retryDelayMs: number;
  /** Known from the options; otherwise asked with getMe. */
  username?: string;
  commands: BotCommand[];
  /** With a web-hook: where Telegram posts (webhookURL + the service's path). */
  webhook?: { url: string; certificate?: string };
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/** The largest update body taken from the web-hook. */
const MAX_UPDATE_BYTES = 1024 * 1024;

export class Updates {
  private stopping: AbortController | undefined;
  private running: Promise<void> | undefined;
  /** Sent by Telegram with every web-hook post (`X-Telegram-Bot-Api-Secret-Token`), new at each start. */
  private secret = randomBytes(32).toString('hex');
  /** Updates are handled one at a time, in order. */
  private handling: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: Api,
    private readonly settings: UpdateSettings,
    private readonly handle: (update: Update) => Promise<void>,
    private readonly identified: (username: string) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const stopping = new AbortController();
    this.stopping = stopping;
    this.secret = randomBytes(32).toString('hex');
    this.running = this.run(stopping.signal).catch((error: unknown) => {
      if (!stopping.signal.aborted) this.logger.error({ err: error }, 'Telegram: receiving updates stopped');
    });
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.running;
    await this.handling;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const username =
      this.settings.username ??
      (await this.retrying('getMe', signal, () => this.api.getMe(apiSignal(signal)))).username;
    this.identified(username);
    await this.retrying('setMyCommands', signal, () =>
      this.api.setMyCommands(this.settings.commands, {}, apiSignal(signal)),
    );
    const { webhook } = this.settings;
    if (webhook) {
      await this.retrying('setWebhook', signal, () =>
        this.api.setWebhook(
          webhook.url,
          {
            secret_token: this.secret,
            allowed_updates: [...ALLOWED_UPDATES],
            ...(webhook.certificate ? { certificate: new InputFile(webhook.certificate) } : {}),
          },
          apiSignal(signal),
        ),
      );
      this.logger.info({ username }, 'Telegram bot listening on its web-hook');
      return;
    }
    // A web-hook left set (by an earlier web-hook run) makes getUpdates fail with 409.
    await this.retrying('deleteWebhook', signal, () => this.api.deleteWebhook({}, apiSignal(signal)));
    this.logger.info({ username }, 'Telegram bot polling for updates');
    let offset: number | undefined;
    while (!signal.aborted) {
      const updates = await this.retrying('getUpdates', signal, () =>
        this.api.getUpdates(
          { timeout: this.settings.pollTimeout, allowed_updates: [...ALLOWED_UPDATES], ...(offset ? { offset } : {}) },
          apiSignal(signal),
        ),
      );
      for (const update of updates) {
        offset = update.update_id + 1;
        await this.handle(update);
      }
    }
  }

  /** Calls until it answers: flood control waits `retry_after`, anything else `retryDelay`. */
  private async retrying<T>(method: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (signal.aborted) throw error;
        const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        const waitMs = retryAfter !== undefined ? retryAfter * 1000 : this.settings.retryDelayMs;
        this.logger.warn({ err: error, method, retryInMs: waitMs }, `Telegram ${method} failed: trying again`);
        await sleep(waitMs, undefined, { signal });
      }
    }
  }

  /** The web-hook: Telegram's posts, checked by their secret header, answered at once and handled in order. */
  readonly webhook: WebhookHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const given = req.headers['x-telegram-bot-api-secret-token'];
    const expected = Buffer.from(this.secret);
    if (
      typeof given !== 'string' ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), expected)
    ) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"wrong or missing secret token"}');
      return;
    }
    if (req.method !== 'POST' || !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      res.writeHead(415, { 'content-type': 'application/json' }).end('{"error":"POST an update as application/json"}');
      return;
    }
    let update: Update;
    try {
      update = JSON.parse(await readBody(req)) as Update;
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    this.handling = this.handling.then(() => this.handle(update));
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPDATE_BYTES) {
        reject(new Error(`an update larger than ${MAX_UPDATE_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
