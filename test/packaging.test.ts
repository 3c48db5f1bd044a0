/**
 * Packaging: core and console as users get them (npm pack → npm install in a folder outside the
 * repo), next to a plain-JS CommonJS plugin and a plugin that brings its own nested copy of core.
 * The loader must find and run all of them from a config in that folder.
 */
import { reuseSqliteBuild } from './support/sqlite-prebuild.js';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;
let work: string;
let app: string;

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      ...reuseSqliteBuild(),
      npm_config_loglevel: 'error',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    },
  });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bbr-pack-'));
  app = join(work, 'app');
  mkdirSync(app);
  run('npm', ['pack', '--pack-destination', work, '-w', 'core', '-w', 'plugins/console'], repo);
  run('npm', ['pack', '--pack-destination', work, join(repo, 'test/fixtures/plugins/cjs-plugin')], repo);
  const tarball = (prefix: string) =>
    join(
      work,
      readdirSync(work).find((f) => f.startsWith(prefix))!,
    );
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'packaging-app',
      private: true,
      type: 'module',
      dependencies: {
        '@bbreporters/core': `file:${tarball('bbreporters-core-')}`,
        '@bbreporters/console': `file:${tarball('bbreporters-console-')}`,
        'cjs-plugin': `file:${tarball('cjs-plugin-')}`,
      },
    }),
  );
  run('npm', ['install', '--no-package-lock'], app);

  // A plugin with its own nested copy of core (as npm lays out a plugin built against another core version).
  const nested = join(app, 'node_modules', 'nested-core-plugin');
  const nestedCore = join(nested, 'node_modules', '@bbreporters', 'core');
  mkdirSync(nestedCore, { recursive: true });
  run('tar', ['-xzf', tarball('bbreporters-core-'), '-C', nestedCore, '--strip-components=1'], work);
  writeFileSync(
    join(nested, 'package.json'),
    JSON.stringify({
      name: 'nested-core-plugin',
      version: '1.0.0',
      type: 'module',
      main: 'index.js',
      dependencies: { '@bbreporters/core': '^0.1.0' },
      bbreporter: { apiVersion: 1, hooks: ['buildFinished'], optionsSchema: 'options.schema.json' },
    }),
  );
  writeFileSync(
    join(nested, 'options.schema.json'),
    JSON.stringify({ type: 'object', properties: { url: { type: 'string' } }, additionalProperties: false }),
  );
  // Its send() asks a server that answers 418 through the outer core's client: the HttpError comes
  // from the outer copy of core, and the nested copy must still recognise it (brands, not instanceof).
  writeFileSync(
    join(nested, 'index.js'),
    `
import { definePlugin, HttpError, isHttpError } from '@bbreporters/core';
export default definePlugin({
  setup(options, ctx) {
    return {
      buildFinished(event) {
        ctx.deliver({ target: 'nested', payload: { core: import.meta.resolve('@bbreporters/core'), build: event.payload.buildid } });
      },
      async send() {
        try {
          await ctx.http.send({ method: 'GET', url: options.url });
          return 'nested-ok';
        } catch (error) {
          return { isHttpError: isHttpError(error), instanceOfNested: error instanceof HttpError, status: error.status, retryable: error.retryable };
        }
      },
    };
  },
});
`,
  );
  cpSync(join(repo, 'core/fixtures/httpstatuspush/fail.finished.json'), join(app, 'fail.finished.json'));
  writeFileSync(
    join(app, 'run.mjs'),
    `
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Runtime } from '@bbreporters/core';
const teapot = createServer((req, res) => res.writeHead(418).end('short and stout'));
await new Promise((resolve) => teapot.listen(0, '127.0.0.1', resolve));
const runtime = await Runtime.start({
  configDir: process.cwd(),
  logDestination: { write() {} },
  reporters: [
    { plugin: 'console', options: { format: 'json' } },
    { plugin: 'cjs-plugin', name: 'cjs' },
    { plugin: 'nested-core-plugin', name: 'nested', options: { url: 'http://127.0.0.1:' + teapot.address().port + '/' } },
  ],
});
const deliveries = [];
runtime.onDelivery((outcome, delivery) => deliveries.push({ reporter: outcome.reporter, status: outcome.status, payload: delivery.payload, response: outcome.response }));
const result = await runtime.emit(JSON.parse(readFileSync('fail.finished.json', 'utf8')));
await runtime.close();
teapot.close();
console.log('RESULT ' + JSON.stringify({ outcomes: result.outcomes.map((o) => [o.reporter, o.status]), deliveries }));
`,
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packaged core and plugins, installed outside the repo', () => {
  it("finds and runs console, a CommonJS plugin and a plugin with a nested core, which recognises core's HttpError", () => {
    const out = run('node', ['run.mjs'], app);
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, out).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length)) as {
      outcomes: string[][];
      deliveries: Array<{ reporter: string; status: string; payload: Record<string, unknown>; response?: unknown }>;
    };
    expect(result.outcomes).toEqual([
      ['console', 'accepted'],
      ['cjs', 'accepted'],
      ['nested', 'accepted'],
    ]);
    const by = Object.fromEntries(result.deliveries.map((d) => [d.reporter, d]));
    expect(by.console).toMatchObject({ status: 'sent' });
    expect(out).toContain('"text":"fail #1 FAILURE');
    expect(by.cjs).toMatchObject({ status: 'sent', payload: { prefix: 'cjs', builder: 'fail' }, response: 'ok' });
    // The outer core's HttpError, seen from the plugin's nested core: recognised by its brand, though not an instance of the nested class.
    expect(by.nested).toMatchObject({
      status: 'sent',
      response: { isHttpError: true, instanceOfNested: false, status: 418, retryable: false },
    });
    expect(String(by.nested.payload.core)).toContain('/nested-core-plugin/node_modules/@bbreporters/core/');
  });
});
