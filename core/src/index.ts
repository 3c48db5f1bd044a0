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
  ExclusiveWork,
  WebhookHandler,
  PluginDefinition,
  QueuedDelivery,
  ReporterHandlers,
  RuntimeConfig,
  SendOptions,
} from './plugin-api.js';
export type * from './events/events.js';
export { eventNames } from './events/events.js';
export type { Logger } from './diagnostics/logger.js';
export type {
  MasterControl,
  BuilderStatus,
  ForceBuildRequest,
  StopBuildRequest,
  ShutdownMode,
} from './buildbot-api/master-control.js';
export type { DeliveryOutcome, DeliveryStatus, DispatchResult, HookOutcome, HookStatus } from './dispatch/outcomes.js';
export { Results, statusToString, type ResultName } from './events/results.js';
export { responsibleUsers } from './kit/blamelist.js';
export type {
  AdditionalContextFunction,
  FormatBuildOptions,
  FormatBuildsetOptions,
  FormatterOptions,
  MissingWorkerOptions,
} from './plugin-api.js';
export type { MessageFormatterOptions, MissingWorkerFormatterOptions, TemplateType } from './generated/schemas.js';
export { detectedStatus, summaryText, resultNames } from './formatter/status.js';
export {
  defaultMode,
  expandMode,
  isMessageNeeded,
  possibleModes,
  wantsPreviousBuild,
  type ModeName,
  type ModeSetting,
} from './filters/mode.js';
export { propsRejection, propertyValue } from './filters/props.js';
export { BuildHistory } from './history/build-history.js';
export { defined } from './lang/defined.js';
export { BbrError, isBbrError, errorCatalogue, type ErrorCode, type ErrorDetail } from './diagnostics/errors.js';
export { normaliseEvent, deriveEventId, isHttpStatusPushBody } from './events/envelope.js';
export { Runtime, type RuntimeOptions } from './host/runtime.js';
export type { HttpCallOptions, HttpClient, HttpMethod, HttpRequest, HttpResponse } from './http/request.js';
export {
  HttpError,
  HttpTransportError,
  InvalidHttpRequestError,
  isHttpError,
  isHttpTransportError,
  isInvalidHttpRequestError,
  isRetryableStatus,
} from './http/errors.js';
export { ERROR_BRAND } from './diagnostics/brand.js';
export { payloadSecrets, redactUrl } from './http/redact.js';
export { basicAuthorization, withHeaders } from './kit/auth.js';
export { buildDict, needsForWants, type Wants } from './kit/build-dict.js';
export { buildLink, describeStamp, sourceStampsWithRevision, withoutTrailingSlashes } from './kit/commit-status.js';
export { githubRepoOf, type GitHubRepo } from './kit/github-repo.js';
export { parseRepositoryUrl, type ParseRepositoryOptions, type RepositoryLocation } from './kit/repo-url.js';
export {
  bitbucketStates,
  gerritVerifyValues,
  giteaStates,
  githubStates,
  gitlabStates,
  stashStates,
  stateFor,
  type BuildState,
  type StateTable,
} from './kit/states.js';
export { DEFAULT_DELIVERY_SETTINGS } from './deliveries/queue.js';
export type { DeliveryCounts, DeliverySettings } from './deliveries/deliveries.js';
export type { ReporterSpec } from './loader/prepare.js';
export type { PluginManifest, Filters, Config } from './generated/schemas.js';
export {
  createReporters,
  startReporters,
  type CreateReportersOptions,
  type Reporters,
} from './host/create-reporters.js';
export { DEFAULT_DRAIN_MS, DEFAULT_HANDLER_TIMEOUT_MS, DEFAULT_STATE_DIR } from './host/defaults.js';
export {
  interceptHooks,
  type DispatchInterceptor,
  type DispatchRecord,
  type EventHook,
  type Hooks,
} from './dispatch/hooks.js';
export {
  OutcomeCounter,
  outcomeInterceptor,
  outcomeTracer,
  type HookCounts,
  type OutcomeListener,
} from './dispatch/interceptors.js';
export {
  loadConfig,
  checkConfig,
  type LoadedConfig,
  type ConfigOptions,
  type CheckConfigOptions,
} from './config/load.js';
export {
  importModuleReference,
  parseModuleReference,
  isModuleReference,
  type ResolvedModuleReference,
} from './kit/module-reference.js';
export { Service, type ServiceOptions } from './host/service.js';
export type { Source, EventSink, SourceType, SourceContext } from './sources/source.js';
export { createSource, checkSource, describeSource, registerSourceType } from './sources/factory.js';
export { HttpSource } from './sources/http.js';
export { ReplaySource, type ReplayStats } from './sources/replay.js';
export { BuildbotSource, type BuildbotSourceOptions } from './sources/buildbot/source.js';
export { RestMasterControl } from './buildbot-api/rest-master-control.js';
export { BuildbotRestClient, type BuildbotConnection } from './buildbot-api/rest-client.js';
export { createEnricher, type EnricherConfig } from './buildbot-api/create-enricher.js';
export { RestEnricher } from './buildbot-api/rest-enricher.js';
export { needsOf, type Enricher, type Need } from './enrichment/enricher.js';
export { buildUrl } from './kit/build-url.js';
export { encodedPath, isCommitId, urlUnder } from './kit/encoded-path.js';
export { cutText, cutUtf8 } from './kit/cut-text.js';
export { buildSummary, resultLook, type BuildSummary, type ResultLook } from './kit/build-summary.js';
export { maskedWebhookUrl, toWebhook } from './kit/webhook-url.js';
export { MessageRefs } from './kit/message-refs.js';
// issue 22, Slack + Mattermost: their shared Slack-compatible attachment.
export {
  slackMrkdwn,
  summaryAttachment,
  summaryFields,
  FIELD_MAX,
  type ChatMarkup,
  type SlackAttachment,
  type SummaryField,
} from './kit/slack-message.js';
export {
  sendInThread,
  threadedReporterHandlers,
  type ThreadedReporter,
  type ThreadCalls,
  type ThreadPlace,
  type ThreadResult,
  type ThreadStep,
} from './kit/message-thread.js';
export { StateFile } from './kit/state-file.js';
export { ChatNotifications, type ChatNotificationSettings, type ChatWords } from './kit/chat/chat-notifications.js';
export {
  builderNames,
  chatCommands,
  describeUser,
  requireAuthz,
  requireControl,
  runCommand,
  type BotControl,
  type Command,
  type CommandContext,
  type Commands,
} from './kit/chat/commands.js';
export { configuredEvents, DEFAULT_NOTIFY_ON, finishedEvents, isNotifyEvent } from './kit/chat/notify-events.js';
export { NotifyStore, type StoredScope } from './kit/chat/notify-store.js';
export { shellWords, UsageError } from './kit/chat/shell-words.js';
export { ago, resultTitle, revisionsOf } from './kit/chat/words.js';
export { formRequest, withFormFields, type FormFields } from './kit/form-body.js';
export {
  pushNotificationTemplate,
  pushNotifierHandlers,
  type PushNotification,
  type PushNotifierHandlers,
  type PushNotifierOptions,
} from './kit/push-notifier.js';
export { statusKeyOf, statusKeys, type StatusKey } from './kit/status-key.js';
export { isWatchedWorker, type WatchedWorkers } from './kit/watched-workers.js';
export {
  commitStatusHandlers,
  commitStatusTarget,
  contextTexts,
  type CommitStatusHandlers,
  type CommitStatusSpec,
  type RenderedStatus,
  type RevisionStamp,
  type StatusLocation,
  type StatusTexts,
} from './kit/status-reporter.js';
