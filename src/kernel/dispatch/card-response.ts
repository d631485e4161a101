import { z } from 'zod';
import type { CardActionResponse } from './lark-event.js';

const I18N_KEYS = [
  'zh_cn', 'en_us', 'zh_hk', 'zh_tw', 'ja_jp', 'id_id', 'vi_vn', 'th_th',
  'pt_br', 'es_es', 'ko_kr', 'de_de', 'fr_fr', 'it_it', 'ru_ru', 'ms_my',
] as const;

const i18n = z.partialRecord(z.enum(I18N_KEYS), z.string());

/** The callback response the platform accepts (anything else shows the user an error). */
export const cardActionResponseSchema = z.strictObject({
  toast: z
    .strictObject({
      type: z.enum(['info', 'success', 'error', 'warning']),
      content: z.string().optional(),
      i18n: i18n.optional(),
    })
    .refine((t) => t.content !== undefined || t.i18n !== undefined, 'toast needs content or i18n')
    .optional(),
  card: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('raw'), data: z.record(z.string(), z.unknown()) }),
      z.strictObject({
        type: z.literal('template'),
        data: z.looseObject({ template_id: z.string().min(1) }),
      }),
    ])
    .optional(),
});

export type CardResponseCheck =
  | { ok: true; response: CardActionResponse }
  | { ok: false; problems: string[] };

export function checkCardResponse(value: unknown): CardResponseCheck {
  const result = cardActionResponseSchema.safeParse(value);
  if (result.success) return { ok: true, response: result.data as CardActionResponse };
  return {
    ok: false,
    problems: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}

/** A JSON 2.0 card (`schema: "2.0"`), as opposed to a 1.0 card. */
export function isSchema2Card(response: CardActionResponse): boolean {
  return response.card?.type === 'raw' && response.card.data.schema === '2.0';
}

export function toast(type: 'info' | 'success' | 'error' | 'warning', zh: string, en: string) {
  return { toast: { type, content: en, i18n: { zh_cn: zh, en_us: en } } } as CardActionResponse;
}
