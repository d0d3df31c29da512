// Every limit the rates layer applies, in one place (STYLE.md: put a limit on everything).

import { Limits } from '../core/limits.ts';

/** Largest response body a price source may send; a ticker for one pair is a few hundred bytes. */
export const RATE_RESPONSE_BYTES_MAX = 64 * 1024;

/** Most characters in a price string: a price sent as text is held to what one sent as a JSON number is. */
export const RATE_NUMBER_CHARS_MAX = Limits.jsonNumberCharsMax;

/** A quote above this (in quote currency per whole base unit) is absurd, not a price. */
export const RATE_VALUE_MAX_INTEGER_DIGITS = 12;

/** A quote must keep at least this many decimals of magnitude: below 1e-12 it is absurd. */
export const RATE_VALUE_MIN_EXPONENT = -12;

/** Per-source request timeout bounds (COFFER_RATE_TIMEOUT_MS). */
export const RATE_TIMEOUT_MS_MIN = 50;
export const RATE_TIMEOUT_MS_MAX = 30_000;
export const RATE_TIMEOUT_MS_DEFAULT = 3_000;

/** How long a fresh aggregate is served without asking the sources again (COFFER_RATE_CACHE_SECONDS). */
export const RATE_CACHE_SECONDS_DEFAULT = 30;

/** How old the last good rate may be when every refresh fails (COFFER_RATE_MAX_AGE_SECONDS). */
export const RATE_MAX_AGE_SECONDS_DEFAULT = 300;
export const RATE_MAX_AGE_SECONDS_MAX = 3_600;

/**
 * After a refresh of a pair fails, the next network attempt for that pair waits this long, so
 * a burst of invoice requests during an outage does not become a burst of outbound requests.
 */
export const RATE_FAILURE_BACKOFF_MS = 5_000;

/** Outlier cut (COFFER_RATE_OUTLIER_PERCENT), in percent of the median. */
export const RATE_OUTLIER_PERCENT_DEFAULT = '2';
export const RATE_OUTLIER_PERCENT_MAX = '50';

/** Quotes needed before any cutting happens (the brief: only cut when >= 3 quotes). */
export const RATE_OUTLIER_QUOTES_MIN = 3;
