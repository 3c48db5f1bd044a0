/**
 * Repository URL → host, owner, repo: https/http/git, ssh:// (with port), scp-like
 * `git@host:owner/repo`, an optional `.git` suffix, nested GitLab groups (owner `group/sub`).
 * Credentials in the URL are dropped, never returned. Follows Buildbot's giturlparse (github.md §4.1).
 */
export interface RepositoryLocation {
  host: string;
  port?: number;
  /** Everything before the last path segment: `acme`, or `group/sub` for nested groups. */
  owner: string;
  repo: string;
  /** `owner/repo`. */
  path: string;
}

export interface ParseRepositoryOptions {
  /** A path prefix to drop first, e.g. `/2.0/repositories` for Bitbucket API URLs. */
  stripPrefix?: string;
}

const WITH_SCHEME = /^(?:https?|ssh|git|git\+ssh|ssh\+git):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:]+)(?::(\d*))?(\/.*)?$/i;
const SCP_LIKE = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^/:]+):(?:(\d+)\/)?(.*)$/;

/** The repository a URL names, or undefined when it names no owner and repo. */
export function parseRepositoryUrl(url: string, options: ParseRepositoryOptions = {}): RepositoryLocation | undefined {
  const trimmed = url.trim();
  const match = WITH_SCHEME.exec(trimmed) ?? (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? null : SCP_LIKE.exec(trimmed));
  if (!match) return undefined;
  const [, rawHost, rawPort, rawPath = ''] = match;
  let path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const prefix = options.stripPrefix?.replace(/\/+$/, '');
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) path = path.slice(prefix.length);
  const segments = path
    .replace(/[?#].*$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.length < 2) return undefined;
  const repo = segments.pop()!.replace(/\.git$/i, '');
  if (!repo) return undefined;
  const decoded = [...segments.map(decode), decode(repo)];
  // `..` (or `%2e%2e`) names no repository: it would move a request built from it elsewhere.
  if (decoded.some((s) => s === '.' || s === '..')) return undefined;
  const name = decoded.pop()!;
  const owner = decoded.join('/');
  const port = rawPort ? Number(rawPort) : undefined;
  return {
    host: rawHost.replace(/^\[|\]$/g, '').toLowerCase(),
    ...(port ? { port } : {}),
    owner,
    repo: name,
    path: `${owner}/${name}`,
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
