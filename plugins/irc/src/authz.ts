/**
 * Who may run the dangerous commands (force, stop, shutdown, join, leave): the users in the
 * `authz` option, each a nick or a `nick!user@host` mask with `*` and `?` wildcards.
 */

export interface IrcUser {
  nick: string;
  ident: string;
  hostname: string;
}

function maskPattern(mask: string): RegExp {
  const body = mask
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function isAuthorized(user: IrcUser, authz: readonly string[]): boolean {
  const full = `${user.nick}!${user.ident}@${user.hostname}`;
  return authz.some((entry) => maskPattern(entry).test(/[!@]/.test(entry) ? full : user.nick));
}
