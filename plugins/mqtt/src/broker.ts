/**
 * One connection to the MQTT broker, made at the first publish (a preview never connects) with
 * MQTT.js. A publish waits for the connection, then resolves when the broker acknowledges it
 * (PUBACK at QoS 1, PUBCOMP at QoS 2; at QoS 0 once written). Failures are BrokerErrors that say
 * whether core's retries can help: a broker that is down or a lost connection can, a refused
 * login or a rejected certificate cannot. Messages never carry the password.
 */
import type * as MqttModule from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';

export interface BrokerSettings {
  host: string;
  port: number;
  tls: boolean;
  /** MQTT.js options: credentials, TLS material, keepalive, client id. */
  options: IClientOptions;
  connectTimeoutMs: number;
}

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** CONNACK codes a later connection may not get (3.1.1: server unavailable; 5: unavailable, busy, quota, rate). */
const TEMPORARY_REFUSALS = new Set([3, 136, 137, 151, 159]);
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|ERR_SSL|ERR_TLS/;

export class BrokerConnection {
  private client?: MqttClient;
  readonly description: string;

  constructor(
    private readonly settings: BrokerSettings,
    /** Told when the broker refuses our login or certificate: a configuration problem to log. */
    private readonly onRefused: (error: BrokerError) => void,
  ) {
    this.description = `MQTT broker ${settings.host}:${settings.port}${settings.tls ? ' (TLS)' : ''}`;
  }

  async publish(
    topic: string,
    message: string,
    publish: { qos: 0 | 1 | 2; retain: boolean },
    signal: AbortSignal,
  ): Promise<void> {
    const client = await this.connected(signal);
    await new Promise<void>((resolve, reject) => {
      const lost = () =>
        fail(new BrokerError(`${this.description}: the connection closed before the broker acknowledged`, true));
      const aborted = () => fail(new BrokerError(`${this.description}: aborted before the broker acknowledged`, true));
      const done = () => {
        client.off('close', lost);
        signal.removeEventListener('abort', aborted);
      };
      const fail = (error: BrokerError) => {
        done();
        reject(error);
      };
      client.once('close', lost);
      signal.addEventListener('abort', aborted, { once: true });
      client.publish(topic, message, publish, (error) => {
        if (error) fail(new BrokerError(`${this.description}: publish to ${topic} failed: ${error.message}`, true));
        else {
          done();
          resolve();
        }
      });
    });
  }

  /** Ends the connection: gracefully when connected, at once while MQTT.js is still trying to reconnect. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync(!client.connected);
  }

  /** The connected client: connects (or waits for MQTT.js's reconnection), or fails at the first error. */
  private async connected(signal: AbortSignal): Promise<MqttClient> {
    // MQTT.js is imported at the first publish, not when the service starts.
    const mqtt = await import('mqtt');
    const client = (this.client ??= this.connect(mqtt));
    if (client.connected) return client;
    return await new Promise<MqttClient>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          fail(new BrokerError(`${this.description}: not connected after ${this.settings.connectTimeoutMs} ms`, true)),
        this.settings.connectTimeoutMs,
      );
      const finish = () => {
        clearTimeout(timer);
        client.off('connect', connected);
        client.off('error', errored);
        signal.removeEventListener('abort', aborted);
      };
      const fail = (error: BrokerError) => {
        finish();
        reject(error);
      };
      const connected = () => {
        finish();
        resolve(client);
      };
      const errored = (error: Error & { code?: string | number }) => fail(this.classify(client, error));
      const aborted = () => fail(new BrokerError(`${this.description}: aborted while connecting`, true));
      client.on('connect', connected);
      client.on('error', errored);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  private connect(mqtt: typeof MqttModule): MqttClient {
    const client = mqtt.connect({
      host: this.settings.host,
      port: this.settings.port,
      protocol: this.settings.tls ? 'mqtts' : 'mqtt',
      connectTimeout: this.settings.connectTimeoutMs,
      reconnectPeriod: 1000,
      // Nothing is queued while offline: a delivery fails and core retries it, in order.
      queueQoSZero: false,
      ...this.settings.options,
    });
    // MQTT.js emits errors while it reconnects too; an emitter error without a listener would crash the service.
    client.on('error', () => undefined);
    return client;
  }

  private classify(client: MqttClient, error: Error & { code?: string | number }): BrokerError {
    const failure = this.describeFailure(error);
    if (!failure.retryable) {
      // Permanent for this client (MQTT.js stops reconnecting after a CONNACK refusal): the next publish starts a new one.
      if (this.client === client) this.client = undefined;
      void client.endAsync(true);
      this.onRefused(failure);
    }
    return failure;
  }

  private describeFailure(error: Error & { code?: string | number }): BrokerError {
    if (typeof error.code === 'number') {
      const login = [4, 5, 134, 135].includes(error.code) ? '; check username and password' : '';
      return new BrokerError(
        `${this.description} refused the connection: ${error.message.replace(/^Connection refused: /, '')} (CONNACK ${error.code})${login}`,
        TEMPORARY_REFUSALS.has(error.code),
      );
    }
    if (CERTIFICATE.test(`${error.code ?? ''} ${error.message}`))
      return new BrokerError(
        `${this.description}: TLS failed, the broker's certificate was not accepted (${error.message}); set tls.ca to the CA that signed it`,
        false,
      );
    return new BrokerError(`${this.description} is not reachable: ${error.message}`, true);
  }
}
