import { z } from 'zod';

import { LarkServiceError } from '../../src/kernel/errors.js';
import type { SessionCardOptions } from '../session-manager/index.js';

/** Card options a single request may set; each overrides the plugin's option of that name. */
export interface AuthorizationCardOptions {
  description?: 'detailed' | 'short';
  language?: 'zh' | 'en' | 'both';
  privacyPolicyUrl?: string;
  /** This request's card from this template (the plugin's per-state templates then unused). */
  cardTemplateId?: string;
  cardTemplateVersion?: string;
}

const cardOptions = z.strictObject({
  description: z.enum(['detailed', 'short']).optional(),
  language: z.enum(['zh', 'en', 'both']).optional(),
  privacyPolicyUrl: z.url({ protocol: /^https?$/ }).optional(),
  cardTemplateId: z.string().min(1).optional(),
  cardTemplateVersion: z.string().min(1).optional(),
}).refine((o) => o.cardTemplateVersion === undefined || o.cardTemplateId !== undefined,
  { message: 'cardTemplateVersion needs cardTemplateId', path: ['cardTemplateVersion'] });

/** Checks a request's card options before anything is stored or sent. */
export function checkCardOptions(openId: string,
  options: AuthorizationCardOptions | undefined): SessionCardOptions | undefined {
  if (options === undefined) return undefined;
  const result = cardOptions.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `card.${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new LarkServiceError('LARK_E_AUTH_REQUEST_INVALID',
    `authorization request for user ${openId} has invalid card options (${problems}); ` +
    'see the per-request options in docs/authorization.md', { details: { openId } });
}
