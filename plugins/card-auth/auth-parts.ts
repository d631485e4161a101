import type { Clock } from '../../src/kernel/clock.js';
import type { LarkClient } from '../../src/kernel/lark-client.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { Coordination } from '../../src/kernel/store/coordination.js';
import type {
  AuthorizationSessionService, UserTokenVaultService,
} from '../session-manager/index.js';
import type { CardLook } from './auth-cards.js';
import type { FlowStore } from './flow-store.js';
import type { PlatformOAuth } from './platform-oauth.js';

/** What the pieces of card-auth share; built once in the plugin's start(). */
export interface AuthParts {
  appId: string;
  pluginId: string;
  sessions: AuthorizationSessionService;
  vault: UserTokenVaultService;
  flows: FlowStore;
  oauth: PlatformOAuth;
  lark: LarkClient;
  coordination: Coordination;
  clock: Clock;
  logger: Logger;
  look: CardLook;
  /** Wrap consent links so they open inside Feishu (applink) or leave them as they are. */
  openInFeishu: boolean;
}
