/** @bbreporters/core: the public API for plugin authors and embedders. */
export { definePlugin, API_VERSION, PLUGIN_MARK } from './plugin-api.js';
export type {
  DefinedPlugin,
  Delivery,
  DeliveryHandle,
  EventHandlers,
  FormattedMessage,
  FormatterFactory,
  MessageFormatter,
  MissingWorkerFormatter,
  Handler,
  HandlerOptions,
  PluginContext,
  PluginDefinition,
  QueuedDelivery,
  ReporterHandlers,
  RuntimeConfig,
  SendOptions,
} from './plugin-api.js';
export type * from './events.js';
export { eventNames } from './events.js';
export type { Logger } from './logger.js';
export type { MasterControl, BuilderStatus, ForceBuildRequest, StopBuildRequest, ShutdownMode } from './master.js';
export type { DeliveryOutcome, DeliveryStatus, DispatchResult, HookOutcome, HookStatus } from './outcomes.js';
export { Results, statusToString, type ResultName } from './results.js';
export { responsibleUsers } from './formatter/blamelist.js';
export type {
  AdditionalContextFunction,
  FormatBuildOptions,
  FormatBuildsetOptions,
  FormatterOptions,
  MissingWorkerOptions,
} from './plugin-api.js';
export type { MessageFormatterOptions, MissingWorkerFormatterOptions, TemplateType } from './generated/schemas.js';
export { detectedStatus, summaryText, resultNames } from './formatter/status.js';
export { defaultMode, expandMode, isMessageNeeded, possibleModes, wantsPreviousBuild, type ModeName, type ModeSetting } from './filters/mode.js';
export { propsRejection, propertyValue } from './filters/props.js';
export { BuildHistory } from './history/build-history.js';
export { BbrError, isBbrError, errorCatalogue, type ErrorCode, type ErrorDetail } from './errors.js';
export { normaliseEvent, deriveEventId, isHttpStatusPushBody } from './envelope.js';
export { Runtime, type RuntimeOptions } from './runtime.js';
export type { HttpCallOptions, HttpClient, HttpMethod, HttpRequest, HttpResponse } from './http/request.js';
export { HttpError, HttpTransportError, InvalidHttpRequestError, isRetryableStatus } from './http/errors.js';
export { payloadSecrets, redactUrl } from './http/redact.js';
export { basicAuthorization } from './http/auth.js';
export { buildDict, needsForWants, type Wants } from './http/build-dict.js';
export { buildLink, sourceStampsWithRevision, withoutTrailingSlashes } from './http/commit-status.js';
export { parseRepositoryUrl, type ParseRepositoryOptions, type RepositoryLocation } from './http/repo-url.js';
export { bitbucketStates, giteaStates, githubStates, gitlabStates, stashStates, stateFor, type BuildState, type StateTable } from './http/states.js';
export { DEFAULT_DELIVERY_SETTINGS, type DeliveryCounts, type DeliverySettings } from './deliveries.js';
export type { ReporterSpec } from './loader/prepare.js';
export type { PluginManifest, Filters, Config } from './generated/schemas.js';
export { createReporters, type CreateReportersOptions, type Reporters } from './library.js';
export { loadConfig, checkConfig, type LoadedConfig, type ConfigOptions, type CheckConfigOptions } from './config/load.js';
export { importModuleReference, parseModuleReference, isModuleReference, type ResolvedModuleReference } from './config/modules.js';
export { Service, type ServiceOptions } from './service.js';
export type { Source, EventSink } from './sources/source.js';
export { createSource, checkSource, registerSourceType, type SourceType, type SourceContext } from './sources/factory.js';
export { HttpSource } from './sources/http.js';
export { ReplaySource, type ReplayStats } from './sources/replay.js';
export { BuildbotSource, type BuildbotSourceOptions } from './sources/buildbot/source.js';
export { RestMasterControl } from './sources/buildbot/master-control.js';
export { BuildbotRestClient, type BuildbotConnection } from './sources/buildbot/rest-client.js';
export { createEnricher, needsOf, buildUrl, RestEnricher, type Enricher, type EnricherConfig, type Need } from './enrichment/index.js';
