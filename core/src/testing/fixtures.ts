/**
 * Real Buildbot 3.7 captures shipped with core (see fixtures/README.md), for plugin tests.
 * Each call returns a fresh copy, so a test may change it freely.
 */
import { readFileSync } from 'node:fs';

const fixtureDir = new URL('../../fixtures/', import.meta.url);

/** HttpStatusPush bodies as Buildbot 3.7 posted them. */
export const httpStatusPushFixtures = [
  'pass.new',
  'pass.finished',
  'fail.new',
  'fail.finished',
  'warn.new',
  'warn.finished',
  'cancel.new',
  'cancel.finished',
  'change-pass.new',
  'change-pass.finished',
  'change-fail.new',
  'change-fail.finished',
  'triggered-child.finished',
  'pass.finished.without-mailnotifier',
] as const;
export type HttpStatusPushFixture = (typeof httpStatusPushFixtures)[number];

/** Envelopes assembled from captured websocket frames. */
export const envelopeFixtures = ['buildset-finished', 'worker-missing'] as const;
export type EnvelopeFixture = (typeof envelopeFixtures)[number];

export type FixtureName = HttpStatusPushFixture | EnvelopeFixture;

export function fixture(name: FixtureName): Record<string, unknown> {
  const file = (envelopeFixtures as readonly string[]).includes(name)
    ? `events/${name}.json`
    : `httpstatuspush/${name}.json`;
  return JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')) as Record<string, unknown>;
}

/** The six scenarios every reporter's tests start from. */
export const fixtures = {
  pass: { started: () => fixture('pass.new'), finished: () => fixture('pass.finished') },
  fail: { started: () => fixture('fail.new'), finished: () => fixture('fail.finished') },
  warn: { started: () => fixture('warn.new'), finished: () => fixture('warn.finished') },
  cancel: { started: () => fixture('cancel.new'), finished: () => fixture('cancel.finished') },
  buildset: () => fixture('buildset-finished'),
  workerMissing: () => fixture('worker-missing'),
};
