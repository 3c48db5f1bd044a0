/**
 * The `run` lifecycle: SIGTERM or SIGINT closes the sources first, drains pending deliveries
 * within a bound, then calls every reporter's close().
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlugins, httpStatusPushDir, startService, tempDir } from './support/bbreporters-cli.js';

const records = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; id?: string })
    : [];

function serviceConfig(sendDelayMs: number) {
  const dir = tempDir();
  const recordFile = join(dir, 'records.jsonl');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `sources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    name: rec\n    options: { file: ${JSON.stringify(recordFile)}, sendDelayMs: ${sendDelayMs}, mode: all }\n`,
  );
  return { config, recordFile };
}

const postFixture = (url: string, name: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(join(httpStatusPushDir, name), 'utf8'),
  });

describe('bbreporters run stops cleanly', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: stops accepting, finishes the pending delivery, then closes the reporters, and exits 0`, async () => {
      const { config, recordFile } = serviceConfig(800);
      const service = await startService(config);
      const reply = await postFixture(service.url, 'fail.finished.json');
      expect(reply.status).toBe(200);
      expect(records(recordFile).map((r) => r.kind)).toEqual(['hook']);
      const exited = service.stop(signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(postFixture(service.url, 'pass.finished.json')).rejects.toThrow();
      expect(await exited).toBe(0);
      expect(records(recordFile).map((r) => r.kind)).toEqual(['hook', 'sent', 'close']);
      expect(service.stderr()).toMatch(/"pending":0,"msg":"stopped"/);
    });
  }

  it('gives up on deliveries after --drain-ms, still closes the reporters, and exits 3', async () => {
    const { config, recordFile } = serviceConfig(30_000);
    const { spawn } = await import('node:child_process');
    const { cliPath } = await import('./support/bbreporters-cli.js');
    const child = spawn(process.execPath, [cliPath, 'run', '--config', config, '--drain-ms', '300'], {
      env: { PATH: process.env.PATH },
    });
    let stderr = '';
    const url = await new Promise<string>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const line = stderr.split('\n').find((l) => l.includes('"http source listening"'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
    });
    expect((await postFixture(url, 'fail.finished.json')).status).toBe(200);
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(records(recordFile).map((r) => r.kind)).toEqual(['hook', 'close']);
    expect(stderr).toMatch(/deliveries still pending at shutdown/);
  });
});

describe('bbreporters run refuses to start', () => {
  it('exits 3 naming the address when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir({
      'config.yaml': `sources:\n  - type: http\n    listen: 127.0.0.1:${port}\nreporters:\n  - plugin: console\n`,
    });
    const { runCli } = await import('./support/bbreporters-cli.js');
    const result = await runCli(['run', '--config', join(dir, 'config.yaml')]);
    blocker.close();
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(`BBR_SOURCE_START: http source could not listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
    );
  });

  it('exits 3 naming the reporter whose setup() never settles, after setupTimeout', async () => {
    const dir = tempDir({
      'config.yaml': `setupTimeout: 300\nsources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n  - plugin: ${join(fixturePlugins, 'misbehaving')}\n    name: stuck\n    options: { behaviour: setup-hang }\n`,
    });
    const { runCli } = await import('./support/bbreporters-cli.js');
    const started = Date.now();
    const result = await runCli(['run', '--config', join(dir, 'config.yaml')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/BBR_PLUGIN_SETUP: reporter "stuck" .*setup\(\) did not settle within 300 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("exits 1 with the config's problems, and 1 when the config has no sources", async () => {
    const { runCli } = await import('./support/bbreporters-cli.js');
    expect((await runCli(['run', '--config', 'test/fixtures/config/three-mistakes.yaml'])).code).toBe(1);
    const dir = tempDir({ 'config.yaml': 'reporters:\n  - plugin: console\n' });
    const none = await runCli(['run', '--config', join(dir, 'config.yaml')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no sources, so there is nothing to run/);
    expect(none.stderr).not.toContain('docs/');
  });
});

describe('bbreporters run stops promptly whatever its sources are doing', () => {
  it('with a replay source reading a standard input that stays open', async () => {
    const { spawn } = await import('node:child_process');
    const { cliPath } = await import('./support/bbreporters-cli.js');
    const dir = tempDir();
    const recordFile = join(dir, 'records.jsonl');
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `sources:\n  - type: replay\n    file: "-"\nreporters:\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    options: { file: ${JSON.stringify(recordFile)}, mode: all }\n`,
    );
    const child = spawn(process.execPath, [cliPath, 'run', '--config', config], { env: { PATH: process.env.PATH } });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write(`${readFileSync(join(httpStatusPushDir, 'pass.new.json'), 'utf8').replace(/\n/g, ' ')}\n`);
    // The hook and then the delivery are recorded; a loaded machine may take a while to start the child.
    for (let i = 0; i < 400 && records(recordFile).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(records(recordFile).map((r) => r.kind)).toEqual(['hook', 'sent']);
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(records(recordFile).map((r) => r.kind)).toEqual(['hook', 'sent', 'close']);
  });

  it('with an http client that went away in the middle of a body', async () => {
    const { config } = serviceConfig(0);
    const service = await startService(config);
    const { connect } = await import('node:net');
    const url = new URL(service.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"event":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    expect(await service.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('bbreporters run and a plugin that calls process.exit()', () => {
  it('logs it as fatal with the reporter and the stack, and exits 1 instead of 0', async () => {
    const dir = tempDir({
      'config.yaml': `sources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n  - plugin: ${join(fixturePlugins, 'misbehaving')}\n    name: quitter\n    options: { behaviour: exit }\n`,
    });
    const service = await startService(join(dir, 'config.yaml'));
    const exited = new Promise<number | null>((resolve) => service.child.on('close', resolve));
    await postFixture(service.url, 'fail.finished.json').catch(() => undefined);
    expect(await exited).toBe(1);
    const line = service
      .stderr()
      .split('\n')
      .find((l) => l.includes('a plugin called process.exit()'));
    expect(line).toBeDefined();
    const record = JSON.parse(line!) as { level: number; reporter: string; code: number; stack: string };
    expect(record).toMatchObject({ level: 60, reporter: 'quitter', code: 0 });
    expect(record.stack).toContain('misbehaving/index.js');
  });
});
