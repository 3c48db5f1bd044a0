/**
 * @bbreporters/hipchat: Buildbot's HipChatStatusPush (HipChat REST API v2). For each build start
 * (`new`) and end (`finished`), the hooks choose recipients, message and extra fields; the same
 * JSON goes to the user (private message) and/or the room (notification). Nothing is sent
 * without a message or a destination.
 */
import {
  buildDict,
  buildLink,
  definePlugin,
  encodedPath,
  urlUnder,
  needsForWants,
  importModuleReference,
  type BuildPayload,
  type HttpRequest,
} from '@bbreporters/core';
import type { HipChatOptions } from './generated/options.js';
import { defaultHooks, type EventName, type HipChatBuild, type Hooks } from './hooks.js';

export type { HipChatOptions } from './generated/options.js';
export { defaultHooks, type EventName, type HipChatBuild, type Hooks, type Recipients } from './hooks.js';

/** The requests for one event: user first, then room (hipchat.md §4); none without message or destination. */
export function notificationRequests(
  endpoint: string,
  data: Record<string, unknown>,
): Array<{ target: string; request: HttpRequest }> {
  const { id_or_email: user, room_id_or_name: room, ...body } = data;
  if (typeof body.message !== 'string' || body.message === '') return [];
  const to = (kind: string, path: string) => ({
    target: `hipchat:${kind}`,
    request: {
      method: 'POST' as const,
      // No auth_token: the reporter's authorize() adds it when the request is sent.
      url: urlUnder(endpoint, path),
      headers: { 'Content-Type': 'application/json' },
      body,
    },
  });
  return [
    ...(present(user) ? [to(`user:${String(user)}`, encodedPath`/v2/user/${String(user)}/message`)] : []),
    ...(present(room) ? [to(`room:${String(room)}`, encodedPath`/v2/room/${String(room)}/notification`)] : []),
  ];
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export default definePlugin<HipChatOptions>({
  async setup(options, ctx) {
    const defaults = defaultHooks(options);
    const load = async <K extends keyof Hooks>(name: K): Promise<Hooks[K]> => {
      const ref = options[name];
      return ref ? await importModuleReference<Hooks[K]>(ref, ctx.config.configDir) : defaults[name];
    };
    const hooks: Hooks = {
      getRecipientList: await load('getRecipientList'),
      getMessage: await load('getMessage'),
      getExtraParams: await load('getExtraParams'),
    };
    const endpoint = options.endpoint ?? 'https://api.hipchat.com';

    async function notify(payload: BuildPayload, eventName: EventName): Promise<void> {
      const url = buildLink(payload, ctx.config.buildbotURL);
      const build = { ...buildDict(payload, options), ...(url ? { url } : {}) } as HipChatBuild;
      const data: Record<string, unknown> = { ...(await hooks.getRecipientList(build, eventName)) };
      data.message = await hooks.getMessage(build, eventName);
      Object.assign(data, await hooks.getExtraParams(build, eventName));
      const requests = notificationRequests(endpoint, data);
      if (requests.length === 0) {
        ctx.logger.debug(
          { build: payload.buildid, event: eventName },
          'no HipChat message: empty message or no destination',
        );
        return;
      }
      for (const { target, request } of requests) {
        // Chat messages must all arrive, in order: never superseded.
        ctx.deliver({ target, payload: request, supersede: false });
      }
    }

    return {
      buildStarted: ({ payload }) => notify(payload, 'new'),
      // HipChat takes its token as a query parameter: added at each attempt, never kept with a queued delivery.
      authorize: (request) => ({
        ...request,
        url: `${request.url}?auth_token=${encodeURIComponent(options.auth_token)}`,
      }),
      buildFinished: ({ payload }) => notify(payload, 'finished'),
      // Core fetches steps, log contents and the previous build only when the want* options ask.
      needs: needsForWants(options),
    };
  },
});
