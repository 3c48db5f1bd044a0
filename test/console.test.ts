/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core) against the real
 * `bbreporters run`: a delivery the remote refused shows as dead with its 401, Retry sends it once the
 * remote accepts and the open page turns it `sent` by itself (server-sent events), the delivery page
 * lists both attempts, Redeliver dispatches an event again; POSTs without the form's token or from
 * another origin are refused, a read-only console has no buttons and refuses POSTs, and the console
 * is behind the source's Basic credentials. Screenshots go to test-artifacts/console/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusPushDir, repoRoot, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';

const artifacts = join(repoRoot, 'test-artifacts/console');
mkdirSync(artifacts, { recursive: true });

/** A remote answering `status()` (after `delayMs()`, with `headers`), counting requests. */
async function remote(
  status: () => number,
  delayMs: () => number = () => 0,
  headers: Record<string, string> = {},
): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    hits++;
    const answer = status();
    setTimeout(() => res.writeHead(answer, headers).end('{"message":"Bad credentials"}'), delayMs());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, hits: () => hits };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Chromium with a fresh profile; `credentials` answer the console's Basic challenge. */
async function browser(credentials?: { username: string; password: string }): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'bbr-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 700 },
    ...(credentials ? { httpCredentials: credentials } : {}),
  });
  cleanups.push(() => context.close());
  return context;
}

/** `bbreporters run` with the console set to `consoleSetting` and an http-status-push reporter per entry of `pushTo` (name → URL). */
async function service(consoleSetting: string, pushTo: Record<string, string>, auth = ''): Promise<RunningService> {
  const config = join(tempDir(), 'config.yaml');
  const reporters = Object.entries(pushTo).map(
    ([name, url]) =>
      `  - plugin: '@bbreporters/http-status-push'\n    name: ${name}\n    options: { serverUrl: '${url}' }\n`,
  );
  writeFileSync(
    config,
    `stateDir: state\nconsole: ${consoleSetting}\nsources:\n  - { type: http, listen: 127.0.0.1:0${auth} }\n` +
      `reporters:\n${reporters.join('')}`,
  );
  // A delivery the remote holds would keep the stop waiting for it: stop at once.
  const running = await startService(config, { runArgs: ['--drain-ms', '100'] });
  cleanups.push(() => running.stop());
  return running;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const fixture = (name: string) => readFileSync(join(httpStatusPushDir, name), 'utf8');

async function postEvent(url: string, body: string, authorization?: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  });
  expect(res.status).toBe(200);
}

/** Waits for the console page to have its live stream open. */
async function live(page: Page): Promise<void> {
  await page.locator('body[data-live=on]').waitFor({ timeout: 5000 });
}

describe('the web console', () => {
  it('shows a dead delivery, retries it and redelivers an event from the browser, refreshing live, behind Basic credentials and CSRF checks', async () => {
    let status = 401;
    let delay = 0;
    const push = await remote(
      () => status,
      () => delay,
    );
    cleanups.push(() => push.server.close());
    const running = await service('true', { push: push.url }, ', user: ops, password: s3cret-console');
    const authorization = basic('ops', 's3cret-console');
    const ui = new URL('/ui/', running.url).href;

    // The console is behind the source's credentials.
    expect((await fetch(ui)).status).toBe(401);
    expect((await fetch(ui, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);

    await postEvent(running.url, fixture('change-fail.finished.json'), authorization);
    const context = await browser({ username: 'ops', password: 's3cret-console' });
    const page = await context.newPage();
    await page.goto(ui);
    await live(page);
    const dead = page.locator('table.deliveries tbody tr', { has: page.locator('.state.dead') });
    await dead.waitFor();
    expect(await dead.locator('td.error').innerText()).toContain('answered 401 Unauthorized');
    const deliveryId = (await dead.getAttribute('data-delivery'))!;
    await page.screenshot({ path: join(artifacts, 'dead-delivery.png'), fullPage: true });

    // A POST without the form's token, or from another site, is refused; nothing is retried.
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const retryUrl = new URL(`/ui/deliveries/${deliveryId}/retry`, running.url).href;
    const token = (await dead.locator('input[name=token]').getAttribute('value'))!;
    const post = (body: string, origin: string) =>
      fetch(retryUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization, origin, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const sameOrigin = new URL(running.url).origin;
    expect((await post(form({ back: '/ui/' }), sameOrigin)).status).toBe(403);
    expect((await post(form({ back: '/ui/', token: `${token.slice(1)}x` }), sameOrigin)).status).toBe(403);
    expect((await post(form({ back: '/ui/', token }), 'http://evil.example')).status).toBe(403);
    await new Promise((r) => setTimeout(r, 700)); // longer than the service's request poll
    expect(push.hits()).toBe(1);

    // The remote accepts now, a second later: the page the Retry returns to still shows it unsent.
    status = 201;
    delay = 1000;
    await dead.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.notice').waitFor();
    const row = page.locator(`tr[data-delivery="${deliveryId}"]`);
    expect(await row.locator('.state').innerText()).not.toBe('sent');
    await live(page);
    await page.evaluate(() => ((globalThis as unknown as { unreloaded: boolean }).unreloaded = true));
    await row.locator('.state.sent').waitFor({ timeout: 10_000 });
    // Same document: the live refresh changed it, nobody reloaded it.
    expect(await page.evaluate(() => (globalThis as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
    expect(await row.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(push.hits()).toBe(2);
    await page.screenshot({ path: join(artifacts, 'retried.png'), fullPage: true });

    // A new event shows up on the open page by itself.
    delay = 0;
    await postEvent(running.url, fixture('change-pass.finished.json'), authorization);
    await page.locator('table.events tbody tr').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);

    // The delivery page: both attempts, the refused one with the remote's answer, and the request.
    await row.locator(`a[href="/ui/deliveries/${deliveryId}"]`).click();
    const attempts = page.locator('table.attempts tbody tr');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.nth(0).innerText()).toContain('401 Unauthorized');
    expect(await attempts.nth(1).locator('.state.sent').count()).toBe(1);
    expect(await page.locator('pre.request').innerText()).toContain(push.url);
    expect(await page.content()).not.toContain('s3cret-console');
    await page.screenshot({ path: join(artifacts, 'delivery.png'), fullPage: true });

    // Redeliver the event to the reporter: a second delivery for it appears, and is sent.
    await page.locator('dd a[href^="/ui/events/"]').click();
    await page.locator('tr[data-reporter=push]').getByRole('button', { name: 'Redeliver' }).click();
    await page.locator('.notice').waitFor();
    await live(page);
    const sent = page.locator('table.deliveries tbody tr', { has: page.locator('.state.sent') });
    await expect.poll(() => sent.count(), { timeout: 10_000 }).toBe(2);
    expect(push.hits()).toBe(4);
    await page.screenshot({ path: join(artifacts, 'event.png'), fullPage: true });

    await page.goto(new URL('/ui/reporters', running.url).href);
    expect(await page.locator('tr[data-reporter=push] a').allInnerTexts()).toEqual(['3']);
    await page.screenshot({ path: join(artifacts, 'reporters.png'), fullPage: true });
    await page.goto(ui);
    await page.screenshot({ path: join(artifacts, 'events.png'), fullPage: true });
  });

  it('read-only: shows the dead delivery and a rate-limit hold without buttons, refuses POSTs; hostile event data stays text', async () => {
    const push = await remote(() => 401);
    const limited = await remote(
      () => 429,
      () => 0,
      { 'retry-after': '120' },
    );
    cleanups.push(
      () => push.server.close(),
      () => limited.server.close(),
    );
    const running = await service('{ readOnly: true }', { push: push.url, limited: limited.url });
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const body = JSON.parse(fixture('change-fail.finished.json')) as {
      builder: { name: string };
      state_string: string;
    };
    body.builder.name = hostile;
    body.state_string = `</pre>${hostile}`;
    await postEvent(running.url, JSON.stringify(body));
    const page = await (await browser()).newPage();
    await page.goto(new URL('/ui/', running.url).href);
    const dead = page.locator('table.deliveries tbody tr', { has: page.locator('.state.dead') });
    await dead.waitFor();
    expect(await page.locator('button, form').count()).toBe(0);
    expect(await page.locator('table.events tbody td').nth(2).innerText()).toBe(hostile);
    await page.locator('table.events a').click();
    await page.locator('details').click();
    expect(await page.locator('details pre').innerText()).toContain(
      `"state_string": "</pre>${hostile.replaceAll('"', '\\"')}"`,
    );
    expect(await page.locator('img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    const id = (await dead.getAttribute('data-delivery'))!;
    await page.goto(new URL(`/ui/deliveries/${id}`, running.url).href);
    expect(await page.locator('button, form').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'read-only.png'), fullPage: true });

    // The reporter view: the dead letter counted, and the remote's rate limit holding the other reporter.
    await page.goto(new URL('/ui/reporters', running.url).href);
    expect(await page.locator('tr[data-reporter=push] a').allInnerTexts()).toEqual(['1']);
    const hold = page.locator('tr[data-reporter=limited] div', { hasText: 'every target at' });
    expect(await hold.innerText()).toContain(`every target at ${new URL(limited.url).origin}`);
    const until = Date.parse((await hold.locator('time').getAttribute('datetime'))!);
    expect(until - Date.now()).toBeGreaterThan(60_000);
    await page.screenshot({ path: join(artifacts, 'reporters-hold.png'), fullPage: true });
    const origin = new URL(running.url).origin;
    const refused = await fetch(new URL(`/ui/deliveries/${id}/retry`, running.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=anything',
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('read-only');
  });

  it('is off unless configured', async () => {
    const push = await remote(() => 201);
    cleanups.push(() => push.server.close());
    const running = await service('{ enabled: false }', { push: push.url });
    expect((await fetch(new URL('/ui/', running.url))).status).toBe(404);
  });
});
