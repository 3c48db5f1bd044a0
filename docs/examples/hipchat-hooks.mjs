// Hooks for docs/reporters/hipchat.md: Buildbot's MyHipchatStatusPush example as module functions.

// send all messages to the same room
export function getRecipientList(build, eventName) {
  return { room_id_or_name: 'AllBuildNotifications' };
}

// only send notifications on finished events
export function getMessage(build, eventName) {
  return { finished: 'Build finished.' }[eventName] ?? '';
}

// color notifications based on the build result and alert the room on build failure
export function getExtraParams(build, eventName) {
  if (eventName !== 'finished') return {};
  return { color: build.results === 0 ? 'green' : 'red', notify: build.results !== 0 };
}
