import { describe, expect, it } from 'vitest';
import { defaultHooks, type HipChatBuild } from './hooks.js';
import { notificationRequests } from './index.js';

const build = {
  builder: { name: 'Builder0' },
  url: 'http://localhost:8080/#builders/79/builds/0',
  results: 0,
} as HipChatBuild;

describe('HipChat default hooks (Buildbot v1.8 tests)', () => {
  const hooks = defaultHooks({ builder_user_map: { Builder0: '123' }, builder_room_map: { Builder0: 456 } });

  it('messages for new and finished; any other event has none', () => {
    expect(hooks.getMessage(build, 'new')).toBe(
      'Buildbot started build Builder0 here: http://localhost:8080/#builders/79/builds/0',
    );
    expect(hooks.getMessage(build, 'finished')).toBe(
      'Buildbot finished build Builder0 with result success here: http://localhost:8080/#builders/79/builds/0',
    );
    expect(hooks.getMessage(build, 'other' as 'new')).toBe('');
  });

  it('recipients from the maps; unmapped builders have none', () => {
    expect(hooks.getRecipientList(build, 'new')).toEqual({ id_or_email: '123', room_id_or_name: 456 });
    expect(hooks.getRecipientList({ ...build, builder: { name: 'x' } }, 'new')).toEqual({});
  });
});

describe('notificationRequests', () => {
  it('user first, then room; recipient keys out of the body; extra params kept; no token', () => {
    const requests = notificationRequests('https://api.hipchat.com/', {
      id_or_email: 456,
      room_id_or_name: 123,
      message: 'hi',
      notify: true,
      message_format: 'text',
    });
    expect(requests.map((r) => r.request.url)).toEqual([
      'https://api.hipchat.com/v2/user/456/message',
      'https://api.hipchat.com/v2/room/123/notification',
    ]);
    expect(requests[0].request.body).toEqual({ message: 'hi', notify: true, message_format: 'text' });
  });

  it('nothing without a message or without a destination', () => {
    expect(notificationRequests('https://h', { room_id_or_name: 1, message: '' })).toEqual([]);
    expect(notificationRequests('https://h', { room_id_or_name: 1 })).toEqual([]);
    expect(notificationRequests('https://h', { message: 'hi' })).toEqual([]);
  });
});
