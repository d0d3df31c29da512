// API credentials for business accounts. Personal accounts get a 404 here (the pages do not
// exist for them). Revoking clears the API's credential cache so the key stops working at once
// in this process (other processes: within Limits.authCacheMs).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CofferError } from '../core/errors.ts';
import type { IssuedCredential } from '../usecases/manage-accounts.ts';
import { WebLimits } from '../core/limits.ts';
import { signedInOf } from './account-routes.ts';
import { field } from './forms.ts';
import { formOnce } from './web-idempotency.ts';
import { keysBody, revokeConfirmBody } from './keys-page.ts';
import { openFlash, sealFlash } from './flash.ts';
import { parseCookies, serializeCookie } from './cookies.ts';
import type { WebRuntime } from './web-runtime.ts';
import { IdParams, KeysQuery, queryText } from './web-schemas.ts';

const CONTROL_RE = /\p{Cc}/u;
const FLASH_COOKIE = 'coffer_new_key';

interface ShownKey { id: string; apiId?: string | undefined; apiSecret?: string | undefined; apiKey?: string | undefined }

function business(request: FastifyRequest): ReturnType<typeof signedInOf> {
  const signedIn = signedInOf(request);
  if (signedIn.account.type !== 'business') throw new CofferError('not_found', 'API keys are for business accounts.');
  return signedIn;
}

/** The issued secrets without absent ones (a JSON round trip drops undefined; the type wants them absent). */
function definedOnly(shown: { apiId?: string | undefined; apiSecret?: string | undefined; apiKey?: string | undefined }): Omit<IssuedCredential, 'credential'> {
  return {
    ...(shown.apiId !== undefined ? { apiId: shown.apiId } : {}),
    ...(shown.apiSecret !== undefined ? { apiSecret: shown.apiSecret } : {}),
    ...(shown.apiKey !== undefined ? { apiKey: shown.apiKey } : {}),
  };
}

export function keysRoutes(plain: FastifyInstance, web: WebRuntime): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases } = web;

  async function render(request: FastifyRequest, reply: FastifyReply, status: number, extra: { issued?: IssuedCredential; revoked?: string | null; label?: string; errors?: Record<string, string> }) {
    const { account } = business(request);
    const [credentials, usage] = await Promise.all([useCases.listCredentials(account.id), useCases.accountUsage(account)]);
    const revoked = extra.revoked && credentials.some((c) => c.id === extra.revoked && c.revokedAt !== null) ? extra.revoked : null;
    return web.send(request, reply, status, 'API keys', keysBody({
      credentials, usage, issued: extra.issued ?? null, revoked, label: extra.label ?? '', errors: extra.errors ?? {}, csrf: request.webCsrfToken!,
    }), 'keys');
  }

  // POST-redirect-GET: the new key travels to the next GET in a sealed one-view cookie (flash.ts),
  // so a reload of the page that shows it re-runs a GET: nothing is created, the secret is gone.
  app.get('/keys', { schema: { querystring: KeysQuery } }, async (request, reply) => {
    const { account, session } = business(request);
    const revoked = queryText(request.query.revoked);
    const sealed = parseCookies(request.headers.cookie).get(FLASH_COOKIE);
    let issued: IssuedCredential | undefined;
    if (sealed !== undefined) {
      reply.header('set-cookie', serializeCookie(FLASH_COOKIE, '', { secure: web.secure(request), maxAgeSeconds: 0 }));
      const shown = openFlash(web.settings.secret, session.id, sealed, useCases.clock.now()) as ShownKey | null;
      const credential = shown ? await useCases.activeCredential(account.id, shown.id) : null;
      if (shown && credential) issued = { credential, ...definedOnly(shown) };
    }
    return render(request, reply, 200, { revoked: revoked ?? null, ...(issued ? { issued } : {}) });
  });

  app.post('/keys', async (request, reply) => {
    const { account } = business(request);
    const label = field(request.body, 'label').trim();
    if (label.length > WebLimits.credentialLabelLengthMax || CONTROL_RE.test(label)) {
      return render(request, reply, 400, { label, errors: { label: `Use at most ${WebLimits.credentialLabelLengthMax} characters, no control characters` } });
    }
    // A repeat of the same rendered form shows the key it created (secret included), not a second one.
    const shown = await formOnce<IssuedCredential, ShownKey>(web, request, account.id, (record) => useCases.issueCredential(account.id, label === '' ? null : label, record),
      (issued) => ({ id: issued.credential.id, apiId: issued.apiId, apiSecret: issued.apiSecret, apiKey: issued.apiKey }));
    const { session } = business(request);
    reply.header('set-cookie', serializeCookie(FLASH_COOKIE, sealFlash(web.settings.secret, session.id, shown, useCases.clock.now()), { secure: web.secure(request), maxAgeSeconds: WebLimits.flashTtlSeconds }));
    return reply.redirect('/account/keys#new-key', 303);
  });

  // Revoking asks first: the list links here, and only the confirmation's own form revokes.
  app.get('/keys/:id/revoke', { schema: { params: IdParams } }, async (request, reply) => {
    const { account } = business(request);
    const { id } = request.params;
    const credential = await useCases.activeCredential(account.id, id);
    if (!credential) throw new CofferError('not_found', 'There is no active key with this id in your account.');
    return web.send(request, reply, 200, 'Revoke key?', revokeConfirmBody(credential, request.webCsrfToken!), 'keys');
  });

  app.post('/keys/:id/revoke', { schema: { params: IdParams } }, async (request, reply) => {
    const { account } = business(request);
    const { id } = request.params;
    if (field(request.body, 'confirm') !== 'yes') {
      const credential = await useCases.activeCredential(account.id, id);
      if (!credential) throw new CofferError('not_found', 'There is no active key with this id in your account.');
      return web.send(request, reply, 200, 'Revoke key?', revokeConfirmBody(credential, request.webCsrfToken!), 'keys');
    }
    await useCases.revokeCredential(id, account.id);
    web.context.auth.clear();
    return reply.redirect(`/account/keys?revoked=${encodeURIComponent(id)}`, 303);
  });
}
