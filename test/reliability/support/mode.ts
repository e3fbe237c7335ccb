/** Short mode by default (part of `npm test`); RELIABILITY_LONG=1 selects the long figures. */

/** True when RELIABILITY_LONG=1: full-size rounds, the 1,000,000-request soak, RSS assertions. */
export const LONG = process.env.RELIABILITY_LONG === '1';

/** The short-mode value, or the long-mode one under RELIABILITY_LONG=1. */
export const sized = <T>(short: T, long: T): T => (LONG ? long : short);

/**
 * Settings every reliability server starts with: no rate limit (it would answer our own load
 * with 429s). LOG_LEVEL stays info: the harness finds the port in the "listening" line.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = Object.freeze({ RATE_LIMIT_RPS: '0', LOG_LEVEL: 'info' });
