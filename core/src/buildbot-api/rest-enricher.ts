/**
 * Fills build payloads over the master's REST API, as Buildbot's reporter utilities
 * (getDetailsForBuild, getPreviousBuild, getResponsibleUsersForBuild) do. Only what is missing is
 * fetched, so an HttpStatusPush body that already carries steps costs no steps request.
 */
import type {
  BbEvent,
  Build,
  EventName,
  Builder,
  BuildPayload,
  BuildRequest,
  Buildset,
  Change,
  SourcedProperties,
  Step,
} from '../events/events.js';
import { responsibleUsers } from '../kit/blamelist.js';
import { Results } from '../events/results.js';
import type { BuildbotRestClient } from './rest-client.js';
import { buildUrl } from '../kit/build-url.js';
import { stepsAtStart } from './as-at-event.js';
import type { Enricher, Need } from '../enrichment/enricher.js';
import { defined } from '../lang/defined.js';
import { StartedBuilds } from './started-builds.js';
import { StepLogs } from './step-logs.js';

/** How far back getPreviousBuild walks past RETRY builds and holes before giving up. */
const PREVIOUS_BUILD_LOOKUPS = 20;
const BUILDER_CACHE_MS = 60_000;

export interface RestEnricherOptions {
  /** The web UI URL build links point to (config `buildbotURL`); default: the API's URL. */
  buildbotURL?: string;
}

export class RestEnricher implements Enricher {
  private readonly builders = new Map<number, { builder: Builder; at: number }>();
  private readonly stepLogs: StepLogs;
  private readonly buildbotURL: string;
  private readonly started = new StartedBuilds();
  private planned: ReadonlyMap<EventName, ReadonlySet<Need>> = new Map();

  constructor(
    private readonly rest: BuildbotRestClient,
    options: RestEnricherOptions = {},
  ) {
    this.buildbotURL = options.buildbotURL ?? rest.baseUrl;
    this.stepLogs = new StepLogs(rest);
  }

  async enrich(event: BbEvent, needs: ReadonlySet<Need>): Promise<BbEvent> {
    switch (event.event) {
      case 'buildStarted': {
        const payload = await this.buildPayload(event.payload, needs);
        // Steps read now show the build further on than it was when it started.
        if (payload.steps && !event.payload.steps) payload.steps = stepsAtStart(payload.steps);
        return { ...event, payload };
      }
      case 'buildFinished':
        return { ...event, payload: await this.buildPayload(event.payload, needs) };
      case 'buildsetFinished': {
        const builds = await Promise.all(event.payload.builds.map((b) => this.buildPayload(b, needs)));
        return { ...event, payload: { ...event.payload, builds } };
      }
      case 'workerMissing':
        return event;
    }
  }

  plan(needs: ReadonlyMap<EventName, ReadonlySet<Need>>): void {
    this.planned = needs;
  }

  /** A step of a running build finished: what the build's finish will need of it is fetched now. */
  stepFinished(step: Step): void {
    const needs = this.planned.get('buildFinished');
    if (needs?.has('logs')) this.stepLogs.stepFinished(step, needs.has('log_contents'));
  }

  /** What the reporters set up need for `event`: a source asks for it all at once. */
  plannedNeeds(event: EventName): ReadonlySet<Need> {
    return this.planned.get(event) ?? new Set();
  }

  /** A data-API build (a websocket `builds/*` message, a REST build) as reporters see it. */
  async buildPayload(build: Build | BuildPayload, needs: ReadonlySet<Need> = new Set()): Promise<BuildPayload> {
    const out = { ...build } as BuildPayload;
    const early = out.complete ? this.started.take(out.buildid) : undefined;
    out.buildrequest ??= early?.buildrequest;
    out.buildset ??= early?.buildset;
    const pending: Array<Promise<unknown>> = [];
    // The websocket's builds/* messages always carry empty properties.
    if (!out.properties || Object.keys(out.properties).length === 0) {
      pending.push(this.properties(out.buildid).then((p) => (out.properties = p)));
    }
    if (!out.builder) pending.push(this.builder(out.builderid).then((b) => (out.builder = b)));
    if (!out.buildrequest || !out.buildset) {
      pending.push(
        (async () => {
          const request =
            out.buildrequest ??
            (await this.rest.one<BuildRequest>(`buildrequests/${out.buildrequestid}`, 'buildrequests'));
          if (!request) return;
          out.buildrequest = request;
          out.buildset ??= await this.rest.one<Buildset>(`buildsets/${request.buildsetid}`, 'buildsets');
        })(),
      );
    }
    if (needs.has('steps') && !out.steps)
      pending.push(this.rest.list<Step>(`builds/${out.buildid}/steps`, 'steps').then((s) => (out.steps = s)));
    if (needs.has('prev_build') && out.prev_build === undefined)
      pending.push(this.previousBuild(out).then((p) => (out.prev_build = p ?? null)));
    if (needs.has('changes') && !out.changes)
      pending.push((async () => (out.changes = (await early?.changes) ?? (await this.changes(out.buildid))))());
    await Promise.all(pending);
    if (!out.complete) this.rememberStart(out);

    if (!out.builder) out.builder = { builderid: out.builderid, name: `builder-${out.builderid}` };
    out.url ??= buildUrl(this.buildbotURL, out);
    const parentId = out.buildset?.parent_buildid;
    if (parentId && out.parentbuild === undefined) {
      const parent = await this.rest.one<Build>(`builds/${parentId}`, 'builds');
      out.parentbuild = parent ?? null;
      out.parentbuilder = parent ? await this.builder(parent.builderid) : null;
    }
    if (needs.has('logs') && out.steps)
      out.steps = await Promise.all(out.steps.map((s) => this.stepWithLogs(s, needs.has('log_contents'))));
    if (needs.has('blamelist') && !out.blamelist) out.blamelist = responsibleUsers(out);
    return out;
  }

  private changes(buildid: number): Promise<Change[]> {
    return this.rest.list<Change>(`builds/${buildid}/changes`, 'changes');
  }

  /** A running build: what its finish can reuse, and the changes its finish will need, fetched now. */
  private rememberStart(build: BuildPayload): void {
    const changes = build.changes
      ? Promise.resolve(build.changes)
      : this.planned.get('buildFinished')?.has('changes')
        ? this.changes(build.buildid).catch(() => undefined)
        : undefined;
    this.started.remember(build.buildid, {
      ...defined({ buildrequest: build.buildrequest, buildset: build.buildset, changes }),
    });
  }

  async builder(builderid: number): Promise<Builder> {
    const cached = this.builders.get(builderid);
    if (cached && Date.now() - cached.at < BUILDER_CACHE_MS) return cached.builder;
    const builder = (await this.rest.one<Builder>(`builders/${builderid}`, 'builders')) ?? {
      builderid,
      name: `builder-${builderid}`,
    };
    this.builders.set(builderid, { builder, at: Date.now() });
    return builder;
  }

  private async properties(buildid: number): Promise<SourcedProperties> {
    return (await this.rest.one<SourcedProperties>(`builds/${buildid}/properties`, 'properties')) ?? {};
  }

  /** common.md §5: number − 1, − 2 … of the same builder, skipping RETRY; a running build counts. */
  private async previousBuild(build: Pick<Build, 'builderid' | 'number'>): Promise<Build | undefined> {
    const lowest = Math.max(0, build.number - PREVIOUS_BUILD_LOOKUPS);
    for (let n = build.number - 1; n >= lowest; n--) {
      const candidate = await this.rest.one<Build>(`builders/${build.builderid}/builds/${n}`, 'builds');
      if (candidate && candidate.results !== Results.RETRY) return candidate;
    }
    return undefined;
  }

  /** The step with its log list, and the logs' text when `withContent` (only reporters that show log text ask). */
  private async stepWithLogs(step: Step, withContent: boolean): Promise<Step> {
    const logs = step.logs ?? (await this.stepLogs.list(step));
    if (!withContent) return { ...step, logs };
    const filled = await Promise.all(
      logs.map(async (log) => {
        if (log.content !== undefined) return log;
        return { ...log, content: await this.stepLogs.text(log) };
      }),
    );
    return { ...step, logs: filled };
  }
}
