/**
 * MasterControl over the master's REST API: builders, builder status, last build, force (the
 * force scheduler's JSON-RPC `force`), stop (a build's JSON-RPC `stop`). Buildbot 3.7 has no REST
 * call to shut the master down, so `shutdown` is absent: callers answer "not available".
 */
import { BbrError } from '../diagnostics/errors.js';
import type { Build, Builder, BuildRequest } from '../events/events.js';
import type { BuilderStatus, ForceBuildRequest, MasterControl, StopBuildRequest } from './master-control.js';
import type { BuildbotRestClient } from './rest-client.js';

interface ForceScheduler {
  name: string;
  builder_names: string[];
}

interface WorkerEntity {
  connected_to: unknown[];
  paused?: boolean;
}

export class RestMasterControl implements MasterControl {
  constructor(private readonly rest: BuildbotRestClient) {}

  builders(): Promise<Builder[]> {
    return this.rest.list<Builder>('builders', 'builders');
  }

  async builderStatus(name: string): Promise<BuilderStatus | undefined> {
    const builder = await this.builder(name);
    if (!builder) return undefined;
    const [running, pending, workers] = await Promise.all([
      this.rest.list<Build>(`builders/${builder.builderid}/builds`, 'builds', { complete: false }),
      this.rest.list<BuildRequest>('buildrequests', 'buildrequests', {
        builderid: builder.builderid,
        complete: false,
        claimed: false,
      }),
      this.rest.list<WorkerEntity>(`builders/${builder.builderid}/workers`, 'workers'),
    ]);
    const online = workers.some((w) => w.connected_to.length > 0);
    const state = running.length ? 'building' : online ? 'idle' : 'offline';
    return { builder, state, running, pending: pending.length };
  }

  async lastBuild(name: string): Promise<Build | undefined> {
    const builder = await this.builder(name);
    if (!builder) return undefined;
    return this.rest.one<Build>(`builders/${builder.builderid}/builds`, 'builds', {
      complete: true,
      order: '-number',
      limit: 1,
      property: '*',
    });
  }

  async forceBuild(request: ForceBuildRequest): Promise<{ buildsetId: number }> {
    const schedulers = await this.rest.list<ForceScheduler>('forceschedulers', 'forceschedulers');
    const scheduler = schedulers.find((s) => s.builder_names.includes(request.builder));
    if (!scheduler) {
      throw new BbrError(
        'BBR_BUILDBOT_API',
        `no force scheduler lists builder "${request.builder}" (force schedulers: ${schedulers.map((s) => `${s.name} → ${s.builder_names.join(', ')}`).join('; ') || 'none'})`,
      );
    }
    // The force scheduler reads its fields by their full names (reason, username, branch, revision…).
    const params: Record<string, unknown> = { builderNames: [request.builder] };
    if (request.reason !== undefined) params.reason = request.reason;
    if (request.owner !== undefined) params.username = request.owner;
    const prefix = request.codebase ? `${request.codebase}_` : '';
    if (request.branch !== undefined) params[`${prefix}branch`] = request.branch;
    if (request.revision !== undefined) params[`${prefix}revision`] = request.revision;
    for (const [key, value] of Object.entries(request.properties ?? {})) params[key] ??= value;
    const [bsid] = await this.rest.rpc<[number, Record<string, number>]>(
      `forceschedulers/${encodeURIComponent(scheduler.name)}`,
      'force',
      params,
    );
    return { buildsetId: bsid };
  }

  async stopBuild(request: StopBuildRequest): Promise<{ stopped: number }> {
    const builder = await this.builder(request.builder);
    if (!builder) throw new BbrError('BBR_BUILDBOT_API', `no builder named "${request.builder}"`);
    const running = await this.rest.list<Build>(`builders/${builder.builderid}/builds`, 'builds', { complete: false });
    const targets = request.number === undefined ? running : running.filter((b) => b.number === request.number);
    for (const build of targets) {
      await this.rest.rpc(
        `builds/${build.buildid}`,
        'stop',
        request.reason === undefined ? {} : { reason: request.reason },
      );
    }
    return { stopped: targets.length };
  }

  private builder(name: string): Promise<Builder | undefined> {
    return this.rest.one<Builder>(`builders/${encodeURIComponent(name)}`, 'builders');
  }
}
