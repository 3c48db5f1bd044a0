/**
 * The JSON published for a build event: Zuul's MQTT reporter payload (channels.md §6) adapted to
 * Buildbot. Zuul's keys keep their meaning (timestamp, action, project, branch, message,
 * enqueue_time, buildset.builds[].job_name/start_time/end_time/log_url/result); Zuul-only ones
 * (tenant, pipeline, change, patchset, zuul_ref, voting) have no Buildbot counterpart and are left
 * out; Buildbot's ids (bsid, buildid, number) take the place of Zuul's uuids.
 */
import { buildLink, statusToString, type BuildPayload } from '@bbreporters/core';
import type { TopicValues } from './topic.js';

export interface MqttMessage {
  /** The build's started_at (start) or complete_at (end), epoch seconds. */
  timestamp: number;
  /** Zuul's reporter actions: start, then success (SUCCESS, WARNINGS) or failure (any other result). */
  action: 'start' | 'success' | 'failure';
  builder: string;
  project: string;
  repository: string;
  branch: string;
  revision: string;
  /** The build's state string ("build successful", "failed test", …). */
  message: string;
  enqueue_time: number | null;
  buildset: {
    bsid: number | null;
    reason: string;
    builds: Array<{
      job_name: string;
      buildid: number;
      number: number;
      start_time: number;
      end_time: number | null;
      log_url: string;
      /** Buildbot's result name upper-case, as Zuul writes results (SUCCESS, FAILURE, …); null while running. */
      result: string | null;
    }>;
  };
}

const SUCCESSFUL = new Set([0, 1]);

export function mqttMessage(build: BuildPayload, buildbotURL?: string): MqttMessage {
  const stamp = build.buildset?.sourcestamps?.[0];
  const finished = build.complete;
  return {
    timestamp: (finished ? build.complete_at : null) ?? build.started_at,
    action: !finished ? 'start' : SUCCESSFUL.has(build.results ?? -1) ? 'success' : 'failure',
    builder: build.builder.name,
    project: stamp?.project ?? '',
    repository: stamp?.repository ?? '',
    branch: stamp?.branch ?? '',
    revision: stamp?.revision ?? '',
    message: build.state_string,
    enqueue_time: build.buildset?.submitted_at ?? null,
    buildset: {
      bsid: build.buildset?.bsid ?? null,
      reason: build.buildset?.reason ?? '',
      builds: [
        {
          job_name: build.builder.name,
          buildid: build.buildid,
          number: build.number,
          start_time: build.started_at,
          end_time: build.complete_at,
          log_url: buildLink(build, buildbotURL) ?? '',
          result: finished ? statusToString(build.results).toUpperCase() : null,
        },
      ],
    },
  };
}

/** The template's values for `build`: the result's name, or `pending` while it runs. */
export function topicValues(build: BuildPayload, message: MqttMessage): TopicValues {
  return {
    builder: message.builder,
    result: build.complete ? statusToString(build.results) : 'pending',
    event: build.complete ? 'finished' : 'started',
    buildid: build.buildid,
    number: build.number,
    project: message.project,
    branch: message.branch,
    repository: message.repository,
  };
}
