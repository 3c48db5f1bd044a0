/**
 * @bbreporters/http-status-push: Buildbot's HttpStatusPush. Each build start and end is one
 * POST of the build (or of format_fn's answer) as JSON to serverUrl; core sends it, retries it
 * and keeps start before end (one target per build, nothing superseded).
 */
import {
  basicAuthorization,
  buildDict,
  definePlugin,
  withHeaders,
  needsForWants,
  importModuleReference,
  type BuildPayload,
  type HttpRequest,
} from '@bbreporters/core';
import type { HttpStatusPushOptions } from './generated/options.js';

export type { HttpStatusPushOptions } from './generated/options.js';

type FormatFn = (build: Record<string, unknown>) => unknown;

/** The headers every POST carries as delivered: JSON, then the extra headers. */
export function requestHeaders(options: HttpStatusPushOptions): Record<string, string> {
  return { 'Content-Type': 'application/json', ...options.headers };
}

/** The configured credentials as headers: added at each attempt, never kept with a queued delivery. */
export function credentialHeaders(options: HttpStatusPushOptions): Record<string, string> {
  const auth = options.auth;
  if (options.user !== undefined) return { Authorization: basicAuthorization(options.user, options.password ?? '') };
  if (auth?.type === 'basic') return { Authorization: basicAuthorization(auth.user, auth.password) };
  if (auth?.type === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  if (auth?.type === 'header') return { [auth.name]: auth.value };
  return {};
}

export default definePlugin<HttpStatusPushOptions>({
  async setup(options, ctx) {
    if (options.user !== undefined)
      ctx.logger.warn('user/password is deprecated, use auth: {type: basic, user, password}');
    const formatFn = options.format_fn
      ? await importModuleReference<FormatFn>(options.format_fn, ctx.config.configDir)
      : undefined;
    const headers = requestHeaders(options);
    const credentials = credentialHeaders(options);

    async function push(build: BuildPayload): Promise<void> {
      const shaped = buildDict(build, options);
      const body = formatFn ? await formatFn(shaped) : shaped;
      if (body === undefined || body === null) {
        ctx.logger.debug({ build: build.buildid }, 'format_fn returned nothing: no POST');
        return;
      }
      const request: HttpRequest = { method: 'POST', url: options.serverUrl, headers, body };
      // Start and end of one build must both arrive, in order: one target per build, no supersede.
      ctx.deliver({ target: `build ${build.buildid}`, payload: request, supersede: false });
    }

    return {
      buildStarted: ({ payload }) => push(payload),
      authorize: (request) => withHeaders(request, credentials),
      buildFinished: ({ payload }) => push(payload),
      // Core fetches steps, log contents and the previous build only when the want* options ask.
      needs: needsForWants(options),
    };
  },
});
