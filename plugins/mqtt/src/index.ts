/**
 * @bbreporters/mqtt: each build's start and end published as JSON (Zuul's MQTT reporter shape,
 * message.ts) on a topic made from a template (topic.ts). Deliveries go through core's queue, in
 * one ordered lane per broker: a publish resolves when the broker acknowledges it, and one that
 * fails is retried before any later message is sent.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { BbrError, definePlugin, type BuildPayload, type PluginContext } from '@bbreporters/core';
import { BrokerConnection } from './broker.js';
import type { MqttOptions } from './generated/options.js';
import { mqttMessage, topicValues, type MqttMessage } from './message.js';
import { renderTopic } from './topic.js';

export type { MqttOptions } from './generated/options.js';
export type { MqttMessage } from './message.js';
export { renderTopic, topicLevel, TOPIC_KEYS } from './topic.js';

export const DEFAULT_TOPIC = 'buildbot/{builder}/{result}';

/** What is queued for one build event: everything but the connection and its credentials. */
export interface MqttPayload {
  topic: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  message: MqttMessage;
}

export default definePlugin<MqttOptions>({
  setup(options, ctx) {
    const tls = options.tls ? tlsMaterial(options.tls, ctx) : undefined;
    const host = options.server;
    const port = options.port ?? (tls ? 8883 : 1883);
    const broker = new BrokerConnection(
      {
        host,
        port,
        tls: tls !== undefined,
        connectTimeoutMs: 10_000,
        options: {
          keepalive: options.keepalive ?? 60,
          clientId: options.client_id ?? `bbreporters_${randomBytes(6).toString('hex')}`,
          // As Zuul: the password only goes with a user name.
          ...(options.username ? { username: options.username, password: options.password } : {}),
          ...tls,
        },
      },
      (refused) => ctx.logger.error({ broker: `${host}:${port}` }, refused.message),
    );
    const target = `mqtt ${host}:${port}`;

    function publish(build: BuildPayload): void {
      const message = mqttMessage(build, ctx.config.buildbotURL);
      const payload: MqttPayload = {
        topic: renderTopic(options.topic ?? DEFAULT_TOPIC, topicValues(build, message)),
        qos: options.qos ?? 1,
        retain: options.retain ?? false,
        message,
      };
      // One lane per broker, nothing superseded: every message arrives, in the order of the events.
      ctx.deliver({ target, payload, supersede: false });
    }

    return {
      buildStarted: ({ payload }) => publish(payload),
      buildFinished: ({ payload }) => publish(payload),
      send: async (delivery, { signal }) => {
        const { topic, qos, retain, message } = delivery.payload as MqttPayload;
        await broker.publish(topic, JSON.stringify(message), { qos, retain }, signal);
        return { topic, qos };
      },
      close: () => broker.close(),
    };
  },
});

/** The TLS files read (paths relative to the config folder), as MQTT.js takes them. */
function tlsMaterial(
  tls: NonNullable<MqttOptions['tls']>,
  ctx: PluginContext,
): { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } {
  const read = (option: 'ca' | 'cert' | 'key') => {
    const file = tls[option];
    if (file === undefined) return {};
    const path = resolve(ctx.config.configDir, file);
    try {
      return { [option]: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new BbrError(
        'BBR_PLUGIN_OPTIONS',
        `invalid options: tls.${option}: ${path} cannot be read (${(error as Error).message})`,
        {
          details: [{ path: `tls.${option}`, message: `${path} cannot be read` }],
        },
      );
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key'), rejectUnauthorized: tls.rejectUnauthorized ?? true };
}
