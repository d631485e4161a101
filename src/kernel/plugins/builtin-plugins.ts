import type { PluginDefinition } from './plugin-definition.js';

type Loader = () => Promise<{ default: PluginDefinition<never> }>;

/** Plugins shipped in `plugins/<name>`, loadable by bare name from configuration. */
export const BUILTIN_PLUGINS: Readonly<Record<string, Loader>> = {
  'group-message': () => import('../../../plugins/group-message/index.js') as never,
  apaas: () => import('../../../plugins/apaas/index.js') as never,
  approval: () => import('../../../plugins/approval/index.js') as never,
  'session-manager': () => import('../../../plugins/session-manager/index.js') as never,
  'card-auth': () => import('../../../plugins/card-auth/index.js') as never,
  'token-refresh': () => import('../../../plugins/token-refresh/index.js') as never,
  'auth-demo': () => import('../../../plugins/auth-demo/index.js') as never,
};
