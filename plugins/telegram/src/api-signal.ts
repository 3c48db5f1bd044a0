/**
 * grammy types its abort signals with the `abort-controller` polyfill's class; Node's own
 * AbortSignal is what it gets and uses at run time.
 */
import type { Api } from 'grammy';

type ApiSignal = Parameters<Api['getMe']>[0];

export const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;
