/** Authentication from the spec's security schemes, enforced through openapi-backend's security handlers. */
import type { OpenAPIBackend } from 'openapi-backend';
import { forbidden, unauthorized } from '../errors.js';
import type { CompiledOperation } from '../http/contract.js';
import type { ApiKeyRecord, ApiKeyStore } from '../store/api-key-store.js';
import { verifyApiKey } from './api-keys.js';

/** Who made a request. */
export interface Principal {
  keyId: string;
  scopes: readonly string[];
}

/** What a security handler reports: a principal, a refused credential, or no credential of its kind. */
type SchemeResult = { principal: Principal } | { refused: string } | undefined;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Registers a handler for each security scheme of the spec (`ApiKeyAuth`, `BearerAuth`) on the
 * openapi-backend instance, and returns the check run for each operation that declares security.
 */
export function createAuthenticator(api: OpenAPIBackend, keys: ApiKeyStore) {
  const verify = async (text: string): Promise<SchemeResult> => {
    const result = await verifyApiKey(keys, text);
    if (!result.ok) return { refused: result.reason === 'revoked' ? 'The API key has been revoked.' : 'The API key is not valid.' };
    return { principal: toPrincipal(result.key) };
  };

  api.registerSecurityHandler('ApiKeyAuth', async (context: { request: { headers: Headers } }): Promise<SchemeResult> => {
    const key = single(context.request.headers['x-api-key']);
    return key === undefined ? undefined : verify(key);
  });
  api.registerSecurityHandler('BearerAuth', async (context: { request: { headers: Headers } }): Promise<SchemeResult> => {
    const authorization = single(context.request.headers.authorization);
    if (authorization === undefined) return undefined;
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return match?.[1] === undefined ? { refused: 'The Authorization header is not a Bearer token.' } : verify(match[1]);
  });

  /** Authenticates a request for an operation and checks its scopes; throws 401/403 problems. */
  return async function authenticate(operation: CompiledOperation, headers: Headers): Promise<Principal | undefined> {
    if (operation.security.length === 0) return undefined;
    const context = { request: { headers }, operation };
    let refusal: string | undefined;
    for (const schemes of operation.security) {
      for (const scheme of schemes) {
        const handler = api.securityHandlers[scheme];
        if (!handler) throw new Error(`no security handler for scheme ${scheme}`);
        const result = (await handler(context as never)) as SchemeResult;
        if (result === undefined) continue;
        if ('refused' in result) {
          refusal ??= result.refused;
          continue;
        }
        if (!operation.scopes.every((scope) => result.principal.scopes.includes(scope))) throw forbidden(operation.scopes);
        return result.principal;
      }
    }
    throw unauthorized(refusal ?? 'Send an API key in X-API-Key or as Authorization: Bearer <key>.');
  };
}

function toPrincipal(key: ApiKeyRecord): Principal {
  return { keyId: key.id, scopes: key.scopes };
}
