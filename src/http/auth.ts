// Authorization header → principal. Business accounts use HTTP Basic (API id : secret), personal
// accounts `Bearer <API key>`; the wrong scheme for the account, a malformed header, or an
// unknown or revoked credential is a 401. Successful lookups are cached briefly so the hot read
// path does not hash and query on every request; a revocation made through this process clears
// the cache at once, one made elsewhere takes effect within Limits.authCacheMs.

import { CofferError } from '../core/errors.ts';
import { Limits } from '../core/limits.ts';
import type { Clock } from '../core/clock.ts';
import type { Principal } from '../usecases/manage-accounts.ts';
import { isCleanText } from './edge-input.ts';

export type Authenticator = (scheme: 'basic' | 'bearer', id: string, secret: string) => Promise<Principal | null>;


export function parseAuthorization(header: string | undefined): { scheme: 'basic' | 'bearer'; id: string; secret: string } {
  if (header === undefined || header.length === 0) throw new CofferError('unauthorized', 'Authentication required: send your API credentials in the Authorization header');
  if (header.length > Limits.authHeaderLengthMax) throw new CofferError('unauthorized', 'Malformed Authorization header');
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (space < 0 || value.length === 0) throw new CofferError('unauthorized', 'Malformed Authorization header');
  if (!isCleanText(value)) throw new CofferError('unauthorized', 'Malformed Authorization header');
  if (scheme === 'bearer') return { scheme, id: '', secret: value };
  if (scheme !== 'basic') throw new CofferError('unauthorized', 'Unsupported authorization scheme; use Basic (business) or Bearer (personal)');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new CofferError('unauthorized', 'Malformed Basic credentials');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1 || !isCleanText(decoded)) throw new CofferError('unauthorized', 'Malformed Basic credentials: expected base64(API_ID:API_SECRET)');
  return { scheme: 'basic', id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export class AuthCache {
  readonly #entries = new Map<string, { principal: Principal; expiresMs: number }>();

  constructor(private readonly authenticate: Authenticator, private readonly clock: Clock) {}

  async principal(header: string | undefined): Promise<Principal> {
    const now = this.clock.now().getTime();
    const cached = header === undefined ? undefined : this.#entries.get(header);
    if (cached && cached.expiresMs > now) return cached.principal;
    const { scheme, id, secret } = parseAuthorization(header);
    const principal = await this.authenticate(scheme, id, secret);
    if (!principal) throw new CofferError('unauthorized', 'Invalid or revoked API credentials');
    if (this.#entries.size >= Limits.authCacheEntriesMax) this.#entries.clear();
    this.#entries.set(header!, { principal, expiresMs: now + Limits.authCacheMs });
    return principal;
  }

  clear(): void {
    this.#entries.clear();
  }
}
