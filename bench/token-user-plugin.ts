import { z } from 'zod';
import {
  UserTokenVault, type UserTokenVaultService,
} from '../plugins/session-manager/index.js';
import { TokenRefresh, type TokenRefreshService } from '../plugins/token-refresh/index.js';
import { definePlugin } from '../src/kernel/plugins/plugin-definition.js';

export interface TokenUser {
  tokens: TokenRefreshService;
  vault: UserTokenVaultService;
}

/** The token-refresh service and vault of each kernel the refresh scenario started. */
export const tokenUsers = new Map<string, TokenUser>();

/** The plugin through which the refresh scenario stores grants and runs the scheduler. */
export default definePlugin({
  name: 'bench-token-user',
  options: z.strictObject({ name: z.string() }),
  requires: [TokenRefresh, UserTokenVault],
  start(ctx) {
    tokenUsers.set(ctx.options.name, { tokens: ctx.use(TokenRefresh),
      vault: ctx.use(UserTokenVault) });
  },
  stop(ctx) {
    tokenUsers.delete(ctx.options.name);
  },
});
