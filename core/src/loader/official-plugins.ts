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
  'gerrit',
  'github',
  'gitlab',
  'hipchat',
  'http-status-push',
  'irc',
  'mail',
]);
