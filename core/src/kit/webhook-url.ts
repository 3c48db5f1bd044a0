/**
 * A webhook URL is a credential as a whole (its path is the key): what a queued delivery, the
 * ledger and `bbreporters preview` hold instead is its origin with the rest masked, and the
 * reporter puts the real URL back when it sends.
 */
import { MASK } from '../diagnostics/mask.js';

export function maskedWebhook(url: string): string {
  return `${new URL(url).origin}/${MASK}`;
}
