/**
 * Who gets a mail (mail.md §6): the interested users (the build's responsible users mapped by
 * `lookup`), then Buildbot's processRecipients: interested users in To, `extraRecipients` in Cc
 * when there are interested users, else in To. Invalid addresses are dropped with a warning,
 * duplicates (same bare address, any case) are kept once.
 */
import { cutAtLastAt, formatMailbox, parseMailbox, type Mailbox } from './addresses.js';

/** Buildbot's IEmailLookup.getAddress: a user name → an address, or null/undefined to skip the user. */
export type Lookup = (user: string) => string | null | undefined | Promise<string | null | undefined>;

export interface Recipients {
  to: Mailbox[];
  cc: Mailbox[];
  /** Bare addresses for the SMTP envelope: To and Cc. */
  envelope: string[];
}

export type Warn = (fields: Record<string, unknown>, message: string) => void;

/** Buildbot's `Domain(domain)`: names with an @ stay as they are, others get `@domain`. */
export function domainLookup(domain: string): Lookup {
  return (user) => (user.includes('@') ? user : `${user}@${domain}`);
}

/** Interested users' addresses, in the order given; a failing lookup or an invalid address only drops that user. */
export async function interestedAddresses(
  users: readonly string[],
  lookup: Lookup | undefined,
  warn: Warn,
): Promise<Mailbox[]> {
  const found: Mailbox[] = [];
  for (const user of users) {
    let mapped: string | null | undefined = user;
    if (lookup) {
      try {
        mapped = await lookup(user);
      } catch (error) {
        warn({ user, err: error }, 'lookup failed for a user: no mail to them');
        continue;
      }
    }
    if (mapped === null || mapped === undefined) continue;
    if (typeof mapped !== 'string') {
      warn({ user, got: typeof mapped }, 'lookup returned something other than a string: no mail to this user');
      continue;
    }
    const mailbox = parseMailbox(cutAtLastAt(mapped));
    if (mailbox) found.push(mailbox);
    else warn({ user, address: mapped }, 'INVALID EMAIL: not a valid single address, skipped');
  }
  return found;
}

/** Parses configured addresses (extraRecipients, worker notify); invalid ones are dropped with a warning. */
export function configuredAddresses(addresses: readonly string[], what: string, warn: Warn): Mailbox[] {
  const found: Mailbox[] = [];
  for (const address of addresses) {
    const mailbox = parseMailbox(address);
    if (mailbox) found.push(mailbox);
    else warn({ address }, `INVALID EMAIL in ${what}: skipped`);
  }
  return found;
}

/** Buildbot's processRecipients, with duplicates removed and each list sorted. */
export function processRecipients(
  interested: readonly Mailbox[],
  extra: readonly Mailbox[],
  sendToInterestedUsers: boolean,
): Recipients {
  const seen = new Set<string>();
  const unique = (list: readonly Mailbox[]) =>
    list.filter((m) => {
      const key = m.address.toLowerCase().replace(/\.$/, '');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const to = sendToInterestedUsers ? unique(interested) : [];
  const cc = unique(extra);
  // Code-point order, as Python's sorted().
  const sorted = (list: Mailbox[]) =>
    list.sort((a, b) => (formatMailbox(a) < formatMailbox(b) ? -1 : formatMailbox(a) > formatMailbox(b) ? 1 : 0));
  const recipients = to.length > 0 ? { to: sorted(to), cc: sorted(cc) } : { to: sorted(cc), cc: [] };
  return { ...recipients, envelope: [...recipients.to, ...recipients.cc].map((m) => m.address) };
}
