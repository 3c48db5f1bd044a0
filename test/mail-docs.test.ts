/**
 * docs/reporters/mail.md is true: its YAML example is a valid config, the mail reporter starts
 * with it, and a failed build gives the mail the page describes (sent nowhere: a dry run).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createReporters, type QueuedDelivery } from '@bbreporters/core';
import { fixtures } from '@bbreporters/core/testing';
import { parse } from 'yaml';
import { expect, test } from 'vitest';
import { parseMail } from './support/mime.js';

const page = fileURLToPath(new URL('../docs/reporters/mail.md', import.meta.url));
const docsDir = fileURLToPath(new URL('../docs/reporters/', import.meta.url));

function yamlExamples(): string[] {
  return [...readFileSync(page, 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

test('the mail page has a YAML example with the mail reporter', () => {
  expect(yamlExamples().filter((y) => y.includes('plugin: mail'))).toHaveLength(1);
});

test("the page's example starts and makes the mail it describes, without sending it", async () => {
  const config = parse(yamlExamples()[0]) as { reporters: Array<{ options: Record<string, unknown> }> };
  const reporters = await createReporters(config as never, {
    configDir: docsDir,
    env: { SMTP_PASSWORD: 'not-the-real-one' },
    dryRun: true,
    logDestination: { write: () => undefined },
  });
  const deliveries: QueuedDelivery[] = [];
  try {
    reporters.onDelivery((_outcome, delivery) => deliveries.push(delivery));
    const linuxBuild = { ...fixtures.fail.finished(), builder: { builderid: 5, name: 'linux', tags: [] } };
    const result = await reporters.emit(linuxBuild);
    expect(result.outcomes).toEqual([expect.objectContaining({ reporter: 'mail', status: 'accepted' })]);
    await reporters.drain();
  } finally {
    await reporters.close(0);
  }
  expect(deliveries).toHaveLength(1);
  const payload = deliveries[0].payload as { envelope: { from: string; to: string[] }; raw: string };
  expect(payload.envelope).toEqual({ from: 'buildbot@example.org', to: ['builds@example.org'] });
  const mail = parseMail(payload.raw);
  expect(mail.header('from')).toBe('Buildbot <buildbot@example.org>');
  expect(mail.header('reply-to')).toBe('builds@example.org');
  expect(mail.header('x-buildbot-builder')).toBe('linux');
  expect(mail.subject).toBe("☠ Buildbot (Example CI): linux - failed 'false' (failure) ((unknown revision))");
});
