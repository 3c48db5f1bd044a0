/**
 * @bbreporters/zulip: Buildbot's ZulipStatusPush. Every build's start (`new`) and end (`finished`)
 * is one POST of Buildbot's JSON to Zulip's Buildbot integration, which renders the chat message.
 * The reporting is fixed, as in Buildbot (no generators): core's filters only narrow it.
 */
import {
  buildLink,
  definePlugin,
  isHttpError,
  urlUnder,
  type BuildPayload,
  type HttpRequest,
  type PluginContext,
} from '@bbreporters/core';
import type { ZulipOptions } from './generated/options.js';

export type { ZulipOptions } from './generated/options.js';

/** The integration's path: fixed, so no event data can move a request elsewhere on the server. */
export const ZULIP_BUILDBOT_PATH = '/api/v1/external/buildbot';

export interface ZulipBody {
  event: 'new' | 'finished';
  buildid: number;
  buildername: string;
  url: string;
  project: string;
  timestamp: number;
  results?: number | null;
}

/** The project property's value, or undefined when the build has none (Buildbot fails there with a KeyError). */
export function projectOf(build: BuildPayload): string | undefined {
  const property = build.properties?.project;
  if (!Array.isArray(property) || property[0] === undefined || property[0] === null) return undefined;
  return String(property[0]);
}

/** Buildbot's JSON for one build event (zulip.py sendMessage). */
export function zulipBody(build: BuildPayload, url: string, project: string): ZulipBody {
  const common = { buildid: build.buildid, buildername: build.builder.name, url, project };
  if (!build.complete) return { event: 'new', ...common, timestamp: Math.trunc(build.started_at) };
  return {
    event: 'finished',
    ...common,
    timestamp: Math.trunc(build.complete_at ?? build.started_at),
    results: build.results,
  };
}

/** The request as queued: the stream (configuration, not event data) is in the URL, the API key is not. */
export function zulipRequest(options: Pick<ZulipOptions, 'endpoint' | 'stream'>, body: ZulipBody): HttpRequest {
  const url = new URL(urlUnder(options.endpoint, ZULIP_BUILDBOT_PATH));
  if (options.stream !== undefined) url.searchParams.set('stream', options.stream);
  // Zulip answers 200 with {"result":"success"}; Buildbot counts any other status as an error.
  return { method: 'POST', url: url.href, headers: { 'Content-Type': 'application/json' }, body, okStatuses: [200] };
}

/** `request` with `api_key` as the first query parameter, as Buildbot writes it. */
export function withApiKey(request: HttpRequest, token: string): HttpRequest {
  const url = new URL(request.url);
  url.search = new URLSearchParams([['api_key', token], ...url.searchParams]).toString();
  return { ...request, url: url.href };
}

export default definePlugin<ZulipOptions>({
  setup(options, ctx) {
    const authorize = (request: HttpRequest) => withApiKey(request, options.token);

    function push(build: BuildPayload): void {
      const project = projectOf(build);
      if (project === undefined) {
        ctx.skip(`build ${build.buildid} has no "project" property, which Zulip's Buildbot integration requires`);
        return;
      }
      const body = zulipBody(build, buildLink(build, ctx.config.buildbotURL) ?? '', project);
      // Start and end of one build must both arrive, in order: one target per build, no supersede.
      ctx.deliver({ target: `build ${build.buildid}`, payload: zulipRequest(options, body), supersede: false });
    }

    return {
      buildStarted: ({ payload }) => push(payload),
      buildFinished: ({ payload }) => push(payload),
      authorize,
      send: (delivery, { signal }) => sendLogged(ctx, authorize(delivery.payload as HttpRequest), signal),
    };
  },
});

/** Sends through core's HTTP client; a non-200 answer is logged as Buildbot does, then left to core's retry rules. */
async function sendLogged(ctx: PluginContext, request: HttpRequest, signal: AbortSignal): Promise<{ status: number }> {
  try {
    return { status: (await ctx.http.send(request, { signal })).status };
  } catch (error) {
    if (isHttpError(error))
      ctx.logger.error(
        { status: error.status },
        `${error.status}: Error pushing build status to Zulip: ${error.bodyExcerpt}`,
      );
    throw error;
  }
}
