/**
 * What MailNotifier attaches (mail.md §7): the source stamps' patches (`addPatch`), named
 * `source patch <i>`, and the logs selected by `addLogs` (true, or names `logname` /
 * `stepname.logname`), named `stepname.logname`, prefixed by `buildername.` when one mail covers
 * several builds (where Buildbot raises KeyError, we name them).
 */
import type { BuildPayload, Buildset } from '@bbreporters/core';
import type { Warn } from './recipients.js';

export interface Attachment {
  filename: string;
  content: string;
  contentType: string;
}

const text = 'text/plain; charset=utf-8';

export function patchAttachments(buildset: Buildset | undefined): Attachment[] {
  const patches = (buildset?.sourcestamps ?? []).map((ss) => ss.patch).filter((p) => typeof p?.body === 'string');
  return patches.map((patch, i) => ({ filename: `source patch ${i}`, content: patch!.body!, contentType: text }));
}

export function logAttachments(
  builds: readonly BuildPayload[],
  addLogs: boolean | readonly string[],
  warn: Warn,
): Attachment[] {
  if (addLogs === false || (Array.isArray(addLogs) && addLogs.length === 0)) return [];
  const wanted = (step: string, log: string) =>
    addLogs === true || (addLogs as readonly string[]).some((n) => n === log || n === `${step}.${log}`);
  const attachments: Attachment[] = [];
  for (const build of builds) {
    const prefix = builds.length > 1 ? `${build.builder.name}.` : '';
    for (const step of build.steps ?? []) {
      for (const log of step.logs ?? []) {
        if (!wanted(step.name, log.name)) continue;
        const filename = `${prefix}${step.name}.${log.name}`;
        if (typeof log.content !== 'string') {
          warn(
            { build: build.buildid, log: filename },
            'addLogs: the source gave no content for this log; not attached',
          );
          continue;
        }
        attachments.push({ filename, content: log.content, contentType: text });
      }
    }
  }
  return attachments;
}
