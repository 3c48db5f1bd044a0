/**
 * HipChatStatusPush's overridable methods (hipchat.md §3), Buildbot's defaults. Users override
 * them with module references; each gets the build dict and the event name, `new` or `finished`.
 */
import { statusToString, defined } from '@bbreporters/core';

export type EventName = 'new' | 'finished';
export type HipChatBuild = Record<string, unknown> & {
  builder: { name: string };
  url?: string;
  results?: number | null;
};

export interface Recipients {
  id_or_email?: string | number;
  room_id_or_name?: string | number;
}

export interface Hooks {
  getRecipientList(build: HipChatBuild, eventName: EventName): Recipients | Promise<Recipients>;
  getMessage(build: HipChatBuild, eventName: EventName): string | Promise<string>;
  getExtraParams(build: HipChatBuild, eventName: EventName): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export function defaultHooks(maps: {
  builder_room_map?: Record<string, string | number>;
  builder_user_map?: Record<string, string | number>;
}): Hooks {
  return {
    getRecipientList(build) {
      const name = build.builder.name;
      const user = maps.builder_user_map?.[name];
      const room = maps.builder_room_map?.[name];
      return defined({ id_or_email: user, room_id_or_name: room });
    },
    getMessage(build, eventName) {
      if (eventName === 'new') return `Buildbot started build ${build.builder.name} here: ${build.url ?? ''}`;
      if (eventName === 'finished')
        return `Buildbot finished build ${build.builder.name} with result ${statusToString(build.results ?? null)} here: ${build.url ?? ''}`;
      return '';
    },
    getExtraParams() {
      return {};
    },
  };
}
