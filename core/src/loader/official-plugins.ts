/**
 * The reporters published as `@bbreporters/<name>` (the repository's plugins/ folders), so a
 * misspelled plugin name can be corrected even when the intended plugin is not installed yet.
 */
export const officialPlugins: readonly string[] = Object.freeze([
  'bitbucket',
  'bitbucket-server',
  'bitbucket-server-core',
  'bitbucket-server-pr-comment',
  'console',
  'discord',
  'gerrit',
  'gerrit-verify-status',
  'gitea',
  'github',
  'github-comment',
  'gitlab',
  'hipchat',
  'http-status-push',
  'irc',
  'mail',
  'matrix',
  'mattermost',
  'mqtt',
  'pushjet',
  'pushover',
  'slack',
  'teams',
  'telegram',
  'zulip',
]);
