import { z } from 'zod';
import {
  CardAuthorization, type CardAuthorizationService,
} from '../plugins/card-auth/index.js';
import { definePlugin } from '../src/kernel/plugins/plugin-definition.js';

/** The card-auth service of the kernel a scenario started, by the name its entry gives. */
export const authorizationServices = new Map<string, CardAuthorizationService>();

/** The plugin that asks users for authorization in the authorization and memory scenarios. */
export default definePlugin({
  name: 'bench-auth-requester',
  options: z.strictObject({ name: z.string() }),
  requires: [CardAuthorization],
  start(ctx) {
    authorizationServices.set(ctx.options.name, ctx.use(CardAuthorization));
  },
  stop(ctx) {
    authorizationServices.delete(ctx.options.name);
  },
});
