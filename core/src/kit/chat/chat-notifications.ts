/**
 * Who a chat bot tells what: the notify events of every scope (a channel, a private chat, a
 * Telegram chat), the builds someone asked to watch, and the `tags` filter. Choices made with the
 * `notify` command are kept in a NotifyStore so they survive a restart. The front end turns the
 * targets into deliveries in its own words.
 */
import type { Build, BuildPayload, WorkerMissingEvent } from '../../events/events.js';
import type { EventHandlers } from '../../plugin-api.js';
import { finishedEvents } from './notify-events.js';
import type { NotifyStore } from './notify-store.js';

export interface ChatNotificationSettings {
  /** The configured `notify_events`. */
  defaultEvents: string[];
  /** Scopes notified from the start (configured channels, private chats, chat ids). */
  scopes: string[];
  tags?: string[];
  /**
   * A channel the bot must be in (IRC): it stays a target with no events, and a stored choice
   * for it applies once the bot has joined it. Default: no scope is such a channel.
   */
  isChannel?: (scope: string) => boolean;
}

/** What a front end says about each event, in its own words and markup. */
export interface ChatWords {
  started(build: BuildPayload): string;
  finished(build: BuildPayload): string;
  workerMissing(worker: WorkerMissingEvent['payload']['worker']): string;
}

export class ChatNotifications {
  /** Notify events per scope (lower-cased key); the scopes are who gets notifications. */
  private readonly notify = new Map<string, { name: string; events: Set<string> }>();
  /** Scopes changed with `notify`, as stored (lower-cased key → name and events). */
  private readonly chosen = new Map<string, { name: string; events: string[] }>();
  /** buildid → scopes that asked to be told when it finishes. */
  private readonly watchers = new Map<number, Set<string>>();
  private readonly isChannel: (scope: string) => boolean;

  constructor(
    private readonly settings: ChatNotificationSettings,
    private readonly store?: NotifyStore,
  ) {
    this.isChannel = settings.isChannel ?? (() => false);
    for (const name of settings.scopes)
      this.notify.set(name.toLowerCase(), { name, events: new Set(settings.defaultEvents) });
    // Stored choices: a private chat's apply now, a channel's once the bot is in it.
    for (const scope of store?.load() ?? []) {
      if (!this.isChannel(scope.name) || this.notify.has(scope.name.toLowerCase()))
        this.apply(scope.name, scope.events);
      else this.chosen.set(scope.name.toLowerCase(), { name: scope.name, events: scope.events });
    }
  }

  /** The bot is in `channel`: it is notified, with its stored choice or the configured events. */
  joined(channel: string): void {
    if (this.notify.has(channel.toLowerCase())) return;
    const events = this.chosen.get(channel.toLowerCase())?.events ?? this.settings.defaultEvents;
    this.notify.set(channel.toLowerCase(), { name: channel, events: new Set(events) });
  }

  left(channel: string): void {
    this.notify.delete(channel.toLowerCase());
  }

  notifyEvents(scope: string): string[] {
    return [...(this.notify.get(scope.toLowerCase())?.events ?? [])].sort();
  }

  setNotifyEvents(scope: string, events: Iterable<string>): void {
    this.apply(scope, events);
    void this.store?.save([...this.chosen.values()]);
  }

  /** Sets (and remembers as chosen) the events of a scope. */
  private apply(scope: string, events: Iterable<string>): void {
    const set = new Set(events);
    const name = this.notify.get(scope.toLowerCase())?.name ?? this.chosen.get(scope.toLowerCase())?.name ?? scope;
    this.chosen.set(scope.toLowerCase(), { name, events: [...set].sort() });
    // A private chat without events stops being a notification target; a channel stays (it is joined).
    if (set.size === 0 && !this.isChannel(scope)) this.notify.delete(scope.toLowerCase());
    else this.notify.set(scope.toLowerCase(), { name, events: set });
  }

  watch(build: Build, scope: string): void {
    const set = this.watchers.get(build.buildid) ?? new Set<string>();
    set.add(scope);
    this.watchers.set(build.buildid, set);
  }

  private passesTags(build: BuildPayload): boolean {
    const { tags } = this.settings;
    return tags === undefined || (build.builder.tags ?? []).some((t) => tags.includes(t));
  }

  /** Scopes whose notify events include one of `fired`. */
  private subscribers(fired: Set<string>): string[] {
    return [...this.notify.values()].filter((s) => [...s.events].some((e) => fired.has(e))).map((s) => s.name);
  }

  /** Who is told that `build` started. */
  startedTargets(build: BuildPayload): string[] {
    return this.passesTags(build) ? this.subscribers(new Set(['started'])) : [];
  }

  /** Who is told that `build` finished: the subscribers and, whatever their settings, its watchers (once each). */
  finishedTargets(build: BuildPayload): string[] {
    const targets = new Map<string, string>();
    if (this.passesTags(build))
      for (const t of this.subscribers(finishedEvents(build))) targets.set(t.toLowerCase(), t);
    for (const t of this.watchers.get(build.buildid) ?? []) targets.set(t.toLowerCase(), t);
    this.watchers.delete(build.buildid);
    return [...targets.values()];
  }

  /** Who is told that a worker is missing. */
  workerTargets(): string[] {
    return this.subscribers(new Set(['worker']));
  }

  /** The reporter's event handlers: each event in `words`, handed to `announce` with the scopes it concerns. */
  handlers(
    words: ChatWords,
    announce: (scopes: string[], text: string) => void,
  ): Required<Pick<EventHandlers, 'buildStarted' | 'buildFinished' | 'workerMissing'>> {
    return {
      buildStarted: ({ payload }) => announce(this.startedTargets(payload), words.started(payload)),
      buildFinished: ({ payload }) => announce(this.finishedTargets(payload), words.finished(payload)),
      workerMissing: ({ payload }) => announce(this.workerTargets(), words.workerMissing(payload.worker)),
    };
  }
}
