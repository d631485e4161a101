import { z } from 'zod';

import { definePlugin, serviceToken } from '../../src/kernel/plugins/plugin-definition.js';
import { ApaasService } from './apaas-service.js';
import type { UserTokenSource } from './user-token-source.js';

export { ApaasService, type AsUserOptions } from './apaas-service.js';
export { AuthorizationRequired, type AuthorizationCause } from './apaas-errors.js';
export { ApplicationClient, type FlowExecution, type ObjectQuery } from './application-client.js';
export type { ApaasRecord } from './json-fields.js';
export { collect } from './paginate.js';
export { ApaasScopes } from './scopes.js';
export type {
  AuthorizationOutcome, AuthorizationRequest, UserTokenSource,
} from './user-token-source.js';
export {
  UserWorkspaceClient, type RecordQuery, type WorkspaceTableInfo,
} from './workspace-client.js';

/** The aPaaS client, for plugins that declare it in `requires`. */
export const Apaas = serviceToken<ApaasService>('apaas.client');

/**
 * Users' tokens and authorization cards: the token-refresh plugin provides this from its own
 * refreshes and card-auth's cards, so `use: apaas` beside them works from configuration.
 */
export const ApaasUserTokens = serviceToken<UserTokenSource>('apaas.user-token-source');

const optionsSchema = z.strictObject({
  /** Named on authorization cards when the calling plugin names no feature. */
  feature: z.string().min(1).default('aPaaS data'),
  rateLimit: z.strictObject({
    maxRetries: z.number().int().min(0).max(10).default(3),
    maxWaitMs: z.number().int().positive().default(60_000),
    fallbackWaitMs: z.number().int().positive().default(1_000),
  }).prefault({}),
  /** Concurrent and later calls share one authorization card this long. */
  authorizationReuseMs: z.number().int().positive().default(10 * 60_000),
  /** Default wait of `asUser(id, { waitForAuthorization: true })`; the session lifetime. */
  authorizationWaitMs: z.number().int().positive().default(10 * 60_000),
});

type Options = z.output<typeof optionsSchema>;

export default definePlugin<Options>({
  name: 'apaas',
  description: 'aPaaS client: data-platform workspaces as a user, applications as the app',
  options: optionsSchema as z.ZodType<Options>,
  provides: [Apaas],
  requires: [ApaasUserTokens],
  start(ctx) {
    const service = new ApaasService(
      { lark: ctx.lark, tokens: ctx.use(ApaasUserTokens), logger: ctx.logger, clock: ctx.clock },
      ctx.options,
    );
    ctx.provide(Apaas, service);
  },
});
