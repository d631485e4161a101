/** Card language: Chinese, English, or both lines one under the other. */
export type CardLanguage = 'zh' | 'en' | 'both';

interface Text {
  zh: string;
  en: string;
}

export const TEXTS = {
  title: { zh: '需要你的授权', en: 'Authorization needed' },
  scopesIntro: { zh: '将获得以下权限：', en: 'It will be allowed to:' },
  scopesShort: { zh: '权限：{scopes}', en: 'Allows: {scopes}' },
  featureNeeds: { zh: '「{feature}」需要你的授权。', en: '{feature} needs your authorization.' },
  featureRenewal: {
    zh: '你之前的授权已无法续期，请重新授权以继续使用「{feature}」。',
    en: 'Your earlier authorization can no longer be renewed; authorize again to keep using ' +
      '{feature}.',
  },
  renewal: {
    zh: '你之前的授权已无法续期，请重新授权。',
    en: 'Your earlier authorization can no longer be renewed; please authorize again.',
  },
  privacy: { zh: '隐私政策', en: 'Privacy policy' },
  authorize: { zh: '授权', en: 'Authorize' },
  decline: { zh: '拒绝', en: 'Decline' },
  openConsent: { zh: '前往授权', en: 'Open the consent page' },
  opening: { zh: '正在准备授权页面，卡片马上更新。', en: 'Preparing the consent page; this card updates in a moment.' },
  nextStep: {
    zh: '点击按钮，在飞书内打开授权页面并确认；完成后这张卡片会自动更新。',
    en: 'Open the consent page inside Feishu and confirm; this card updates when you are done.',
  },
  completedTitle: { zh: '授权完成', en: 'Authorized' },
  completed: { zh: '{name} 已于 {time} 完成授权。', en: '{name} authorized at {time}.' },
  declinedTitle: { zh: '已拒绝授权', en: 'Authorization declined' },
  declined: { zh: '你拒绝了这次授权，没有获得任何权限。', en: 'You declined; nothing was granted.' },
  expiredTitle: { zh: '授权已过期', en: 'Authorization expired' },
  expired: { zh: '这次授权请求已过期，没有获得任何权限。', en: 'This request expired before it was completed.' },
  failedTitle: { zh: '授权失败', en: 'Authorization failed' },
  wrongAccount: {
    zh: '授权的账号与请求的用户不一致，已丢弃该授权。请用你自己的账号重新授权。',
    en: 'A different account consented, so that authorization was discarded. ' +
      'Ask again and consent with your own account.',
  },
  supersededTitle: { zh: '授权已被替换', en: 'Authorization replaced' },
  superseded: {
    zh: '{name} 于 {time} 在另一张卡片或设备上再次完成授权，现在使用的是那次授权。',
    en: '{name} authorized again at {time} on another card or device; that later ' +
      'authorization is the one in use now.',
  },
  failed: { zh: '授权没有完成：{reason}', en: 'The authorization did not complete: {reason}' },
  askAgain: {
    zh: '如需继续，请重新发起请求。', en: 'To continue, ask again and a new card will be sent.',
  },
  notYours: { zh: '这张授权卡片不是发给你的。', en: 'This authorization card is not for you.' },
  gone: { zh: '这次授权请求已不存在。', en: 'This authorization request no longer exists.' },
} satisfies Record<string, Text>;

export type TextKey = keyof typeof TEXTS;

/** The text in the configured language(s), with `{name}` placeholders filled in. */
export function say(key: TextKey, language: CardLanguage,
  values: Record<string, string> = {}): string {
  return sayIn(key, language, () => values);
}

/** Like `say`, with values that differ by language (scope names, for instance). */
export function sayIn(key: TextKey, language: CardLanguage,
  values: (lang: 'zh' | 'en') => Record<string, string>): string {
  const fill = (lang: 'zh' | 'en') => TEXTS[key][lang]
    .replace(/\{(\w+)\}/g, (_, name: string) => values(lang)[name] ?? '');
  if (language === 'zh') return fill('zh');
  if (language === 'en') return fill('en');
  return `${fill('zh')}\n${fill('en')}`;
}

/** Toasts carry one language in `content` and both in `i18n` (reference §3.1). */
export function toastText(key: TextKey, language: CardLanguage): {
  content: string; i18n: Record<string, string>;
} {
  const text = TEXTS[key];
  return { content: language === 'zh' ? text.zh : text.en,
    i18n: { zh_cn: text.zh, en_us: text.en } };
}

/** Plain-language descriptions of common scopes; unknown scopes are shown as they are. */
const SCOPE_DESCRIPTIONS: Record<string, Text> = {
  offline_access: { zh: '在你离线时保持授权（可随时撤销）', en: 'Stay authorized while you are away (revocable)' },
  'contact:user.base:readonly': { zh: '读取你的基本信息', en: 'Read your basic profile' },
  'calendar:calendar': { zh: '查看和管理你的日历', en: 'View and manage your calendar' },
  'calendar:calendar:readonly': { zh: '查看你的日历', en: 'View your calendar' },
  'docx:document': { zh: '查看和编辑你的文档', en: 'View and edit your documents' },
  'im:message': { zh: '以你的身份收发消息', en: 'Send and read messages as you' },
  'bitable:app': { zh: '查看和编辑你的多维表格', en: 'View and edit your Base apps' },
};

/** A scope in plain words, followed by its code (the detailed card). */
export function describeScope(scope: string, language: CardLanguage): string {
  const text = SCOPE_DESCRIPTIONS[scope];
  if (!text) return scope;
  return `${plainScope(scope, language)} (${scope})`;
}

/** A scope in plain words only, or its code when it has no description (the short card). */
export function plainScope(scope: string, language: CardLanguage): string {
  const text = SCOPE_DESCRIPTIONS[scope];
  if (!text) return scope;
  return language === 'both' ? `${text.zh} / ${text.en}` : text[language];
}
