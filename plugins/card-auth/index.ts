import { z } from 'zod';

import {
  definePlugin, serviceToken, type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import {
  AuthorizationSessions, SecretBox, SESSION_STATES, UserTokenVault, type AuthorizationSession,
} from '../session-manager/index.js';
import type { AuthParts } from './auth-parts.js';
import type { CardLook } from './card-look.js';
import { CardAuthorization, type CardAuthorizationService } from './card-authorization.js';
import { TrackedWork } from './background-work.js';
import { createClickHandler, isAuthCardClick } from './click-handler.js';
import { startConsent } from './consent-starter.js';
import { DevicePoller } from './device-poller.js';
import { FlowStore } from './flow-store.js';
import { endpointsFor, PlatformOAuth } from './platform-oauth.js';
import { UserRateLimiter } from './rate-limiter.js';
import { RedirectFlow } from './redirect-flow.js';
import { CALLBACK_PATH, RedirectListener } from './redirect-listener.js';

export type {
  AuthorizationListener, AuthorizationRequest, AuthorizationTicket, CardAuthorizationService,
} from './card-authorization.js';
export type { AuthCardValue } from './auth-cards.js';
export type { CardDescription } from './card-look.js';
export type { TemplateCardData, TemplateVariables } from './template-cards.js';

/** Asks a user for authorization with a card and tells the asking plugin how it ended. */
export const CardAuthorizationToken =
  serviceToken<CardAuthorizationService>('card-auth.authorization');
export { CardAuthorizationToken as CardAuthorization };

const templateRef = z.strictObject({ id: z.string().min(1), version: z.string().optional() });

const options = z.strictObject({
  /** `device` (no public endpoint, default) or `redirect` (authorization code + PKCE). */
  flow: z.enum(['device', 'redirect']).default('device'),
  language: z.enum(['zh', 'en', 'both']).default('both'),
  /** `detailed`: scopes listed with their codes, the reason on every state; `short`: less. */
  description: z.enum(['detailed', 'short']).default('detailed'),
  privacyPolicyUrl: z.url().optional(),
  /** A card-builder template sent instead of the built-in card, in every state. */
  cardTemplateId: z.string().min(1).optional(),
  cardTemplateVersion: z.string().min(1).optional(),
  /** Other templates for some states (e.g. one without buttons once ended). */
  cardTemplateByState: z.partialRecord(z.enum(SESSION_STATES), templateRef).optional(),
  rateLimitPerMinute: z.number().int().min(1).default(5),
  /** Open the consent page in Feishu's side panel (applink) rather than a browser. */
  openInFeishu: z.boolean().default(true),
  timeZone: z.string().default('Asia/Shanghai'),
  /** The accounts host; derived from app.domain for feishu and lark. */
  oauthBaseUrl: z.url().optional(),
  polling: z.strictObject({
    leaseMs: z.number().int().min(100).default(30_000),
    scanMs: z.number().int().min(20).default(5_000),
    slowDownStepMs: z.number().int().min(0).default(5_000),
    /** Token-endpoint polls a second, per instance (the app has 1,000 a minute in all). */
    maxPerSecond: z.number().positive().max(50).default(5),
  }).prefault({}),
  redirect: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8790),
    /** The redirect URL's origin as users' devices reach it; registered in the console. */
    publicBaseUrl: z.url().optional(),
  }).prefault({}),
}).refine((o) => o.cardTemplateId !== undefined
  || (o.cardTemplateVersion === undefined && o.cardTemplateByState === undefined),
{ message: 'cardTemplateVersion and cardTemplateByState need cardTemplateId',
  path: ['cardTemplateId'] });

export type CardAuthOptions = z.output<typeof options>;

interface Running {
  poller: DevicePoller;
  afterAnswers: TrackedWork;
  listener?: RedirectListener;
}
const running = new WeakMap<object, Running>();

export default definePlugin<CardAuthOptions>({
  name: 'card-auth',
  description: 'User authorization from an interactive card (device grant or redirect + PKCE)',
  options,
  requires: [AuthorizationSessions, UserTokenVault, SecretBox],
  provides: [CardAuthorizationToken],
  async start(ctx) {
    const endpoints = endpointsFor(String(ctx.lark.domain), ctx.options.oauthBaseUrl);
    const parts = buildParts(ctx, endpoints);
    const poller = new DevicePoller(parts, ctx.options.polling);
    const state: Running = { poller, afterAnswers: new TrackedWork(ctx.logger) };
    running.set(ctx, state);

    const flow = await chooseFlow(ctx, parts, endpoints, poller, state);
    // The device flow asks the platform for a device code: that runs after the answer.
    ctx.onCardAction(isAuthCardClick, createClickHandler(parts,
      (session: AuthorizationSession) => startConsent(parts, session, flow),
      'poller' in flow ? state.afterAnswers : undefined));
    ctx.provide(CardAuthorizationToken, new CardAuthorization(parts,
      new UserRateLimiter(ctx.coordination, ctx.clock, ctx.options.rateLimitPerMinute, ctx.id),
      ctx.options.rateLimitPerMinute));
    poller.start();
  },
  async stop(ctx) {
    const state = running.get(ctx);
    await state?.afterAnswers.settled();
    await state?.poller.stop();
    await state?.listener?.close();
  },
});

function buildParts(ctx: PluginContext<CardAuthOptions>,
  endpoints: ReturnType<typeof endpointsFor>): AuthParts {
  return {
    appId: ctx.appId,
    pluginId: ctx.id,
    sessions: ctx.use(AuthorizationSessions),
    vault: ctx.use(UserTokenVault),
    flows: new FlowStore(ctx.store, ctx.use(SecretBox)),
    oauth: new PlatformOAuth(endpoints, { appId: ctx.appId, appSecret: ctx.lark.appSecret }),
    lark: ctx.lark,
    coordination: ctx.coordination,
    clock: ctx.clock,
    logger: ctx.logger,
    look: instanceLook(ctx.options),
    openInFeishu: ctx.options.openInFeishu,
  };
}

function instanceLook(o: CardAuthOptions): CardLook {
  return {
    language: o.language,
    description: o.description,
    timeZone: o.timeZone,
    ...(o.privacyPolicyUrl !== undefined && { privacyPolicyUrl: o.privacyPolicyUrl }),
    ...(o.cardTemplateId !== undefined && { template: {
      id: o.cardTemplateId,
      ...(o.cardTemplateVersion !== undefined && { version: o.cardTemplateVersion }),
      ...(o.cardTemplateByState !== undefined && { byState: o.cardTemplateByState }),
    } }),
  };
}

async function chooseFlow(ctx: PluginContext<CardAuthOptions>, parts: AuthParts,
  endpoints: ReturnType<typeof endpointsFor>, poller: DevicePoller, state: Running) {
  if (ctx.options.flow === 'device') return { poller };
  const { host, port, publicBaseUrl } = ctx.options.redirect;
  let redirectUri = '';
  const redirect = new RedirectFlow(parts, endpoints, () => redirectUri);
  state.listener = new RedirectListener(() => redirect, ctx.logger);
  const bound = await state.listener.listen(host, port);
  const origin = publicBaseUrl?.replace(/\/+$/, '')
    ?? `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  redirectUri = `${origin}${CALLBACK_PATH}`;
  ctx.logger.info({ redirectUri }, 'redirect listener ready');
  return { redirect };
}
