/**
 * Our side of a side-by-side comparison with a live master: a Runtime fed by a `buildbot` source
 * following it, titled and addressed like master.cfg (c['title'], c['buildbotURL']), so what our
 * reporters send can be compared with what the master's own reporters sent.
 */
import { join } from 'node:path';
import { BuildbotSource, Runtime, type ReporterSpec } from '@bbreporters/core';
import type { BuildbotMaster } from './buildbot.js';

const repoRoot = new URL('../../../', import.meta.url).pathname;

/** master.cfg's MailNotifier (mode all, only extraRecipients), in our mail options, sending to `smtpPort`. */
export function masterMailOptions(smtpPort: number) {
  return {
    fromaddr: 'buildbot@bbharness.test',
    sendToInterestedUsers: false,
    extraRecipients: ['dev@example.test'],
    mode: 'all',
    relayhost: '127.0.0.1',
    smtpPort,
  };
}

export interface OurSide {
  source: BuildbotSource;
  runtime: Runtime;
  close(): Promise<void>;
}

/** Starts `reporters` on events from `bb`'s data API; state (cursor, history) lives under `dir`. */
export async function followMaster(bb: BuildbotMaster, dir: string, reporters: ReporterSpec[]): Promise<OurSide> {
  const source = new BuildbotSource({ url: bb.url, stateFile: join(dir, 'state.json') });
  const runtime = await Runtime.start({
    configDir: repoRoot,
    logDestination: { write: () => {} },
    title: 'bbreporters-e2e',
    buildbotURL: bb.url,
    stateDir: join(dir, 'state'),
    master: source.master,
    enricher: source.enricher,
    reporters,
  });
  await source.start((input) => runtime.emit(input));
  return {
    source,
    runtime,
    close: async () => {
      await source.close();
      await runtime.close(2000);
    },
  };
}
