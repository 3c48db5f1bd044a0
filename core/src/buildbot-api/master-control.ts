/**
 * The master control API: what IRC commands (and other interactive reporters) may ask of the
 * CI master. Every method may be absent, and `ctx.master` itself may be undefined: callers answer
 * "not available". The `buildbot` source implements it over REST; the build history answers the
 * read-only part otherwise.
 */
import type { Build, Builder } from '../events/events.js';

export interface BuilderStatus {
  builder: Builder;
  /** "idle", "building", "offline" … as the master reports it. */
  state: string;
  /** Builds currently running on this builder. */
  running: Build[];
  /** Build requests waiting for this builder. */
  pending: number;
}

export interface ForceBuildRequest {
  builder: string;
  reason?: string;
  branch?: string;
  revision?: string;
  codebase?: string;
  properties?: Record<string, string>;
  owner?: string;
}

export interface StopBuildRequest {
  builder: string;
  reason?: string;
  /** A build number; default: every running build of the builder. */
  number?: number;
}

export type ShutdownMode = 'check' | 'start' | 'stop' | 'now';

export interface MasterControl {
  builders?(): Promise<Builder[]>;
  builderStatus?(name: string): Promise<BuilderStatus | undefined>;
  lastBuild?(name: string): Promise<Build | undefined>;
  forceBuild?(request: ForceBuildRequest): Promise<{ buildsetId: number }>;
  stopBuild?(request: StopBuildRequest): Promise<{ stopped: number }>;
  shutdown?(mode: ShutdownMode): Promise<string>;
}
