/**
 * Pushover answers 429 when the application's monthly message quota is used up: no retry helps
 * before the quota resets (the `X-Limit-App-Reset` header, Unix time), far beyond any retry
 * schedule. The delivery fails at once with when it can be retried.
 */
export function quotaUsedUp(headers: Record<string, string>): Error & { retryable: false } {
  const reset = Number(headers['x-limit-app-reset']);
  const limit = headers['x-limit-app-limit'] ? ` of ${headers['x-limit-app-limit']} messages` : '';
  const until = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'the next month';
  return Object.assign(
    new Error(
      `Pushover answered 429: the application's monthly quota${limit} is used up until ${until}; not retried (retry it with \`bbreporters deliveries retry\` or the console after the reset)`,
    ),
    { retryable: false as const },
  );
}
