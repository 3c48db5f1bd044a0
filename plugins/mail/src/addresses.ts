/**
 * Mail addresses as Buildbot's MailNotifier accepts them (`VALID_EMAIL`, mail.md §6.1), made
 * injection-proof: an accepted address is parsed here into a display name and a bare address, and
 * only those parts reach nodemailer, so no address parser ever re-reads user data. The bare
 * address must be a dot-atom (no comma, semicolon, quote, angle bracket, space or control
 * character), so `a@x.org,evil@y.org` cannot become two recipients anywhere down the line.
 */

/** Buildbot's VALID_EMAIL_ADDR: `\S+@domain.tld[.]`. */
const buildbotAddr = String.raw`\S+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+\.?`;
/** Buildbot's VALID_EMAIL: a bare address, or `[name ]<address>`. `.` never matches a line break. */
const buildbotEmail = new RegExp(String.raw`^(?:(${buildbotAddr})|(?:(.+)\s+)?<(${buildbotAddr})>\s*)$`);
/** RFC 5322 dot-atom local part and a DNS domain: nothing an address-list parser splits on. */
const dotAtomAddr =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\.?$/;
// Characters that end a display name's meaning (controls, including CR and LF).

const controlChars = /[\u0000-\u001f\u007f]/;

export interface Mailbox {
  /** Display name, if the address had one (`Big Bob` of `Big Bob <bob@mayhem.net>`). */
  name?: string;
  /** The bare address: what the SMTP envelope carries. */
  address: string;
}

/** Parses one address; undefined when Buildbot would reject it or it could smuggle in another recipient. */
export function parseMailbox(text: string): Mailbox | undefined {
  const m = buildbotEmail.exec(text);
  if (!m) return undefined;
  const address = m[1] ?? m[3];
  if (!dotAtomAddr.test(address)) return undefined;
  const name = m[2] === undefined ? undefined : unquote(m[2].trim());
  if (name !== undefined && controlChars.test(name)) return undefined;
  return name ? { name, address } : { address };
}

/** `"Big Bob"` → `Big Bob` (nodemailer quotes names itself when they need it). */
function unquote(name: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(name);
  return m ? m[1].replace(/\\(.)/g, '$1') : name;
}

export function isValidAddress(text: string): boolean {
  return parseMailbox(text) !== undefined;
}

/** Git's `'User' <user@foo.com>@foo.com` (a lookup domain appended to a full address): cut at the last `@` (mail.md §6.1). */
export function cutAtLastAt(text: string): string {
  const first = text.indexOf('@');
  const last = text.lastIndexOf('@');
  return first === last ? text : text.slice(0, last);
}

/** How the address reads in a header and in logs. */
export function formatMailbox(mailbox: Mailbox): string {
  return mailbox.name ? `${mailbox.name} <${mailbox.address}>` : mailbox.address;
}
