import { describe, expect, it } from 'vitest';
import { isLoopback, parseListen } from './http.js';

describe('http listen addresses', () => {
  it('parses host:port, [v6]:port and :port', () => {
    expect(parseListen('127.0.0.1:8020')).toEqual({ host: '127.0.0.1', port: 8020 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':8020')).toEqual({ host: '0.0.0.0', port: 8020 });
    expect(parseListen('8020')).toBeUndefined();
    expect(parseListen('host:99999')).toBeUndefined();
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false);
  });
});
