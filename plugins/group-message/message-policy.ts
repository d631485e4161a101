import type { IncomingMessage } from './message.js';

export interface MessagePolicySettings {
  /** In groups, only messages that mention the bot are answered. */
  requireMentionInGroups: boolean;
  /** When set, only these chats are answered (direct chats included). */
  allowedChats?: readonly string[];
}

export type PolicyVerdict = 'answer' | 'chat-not-allowed' | 'not-mentioned';

/** Decides whether the bot answers a message at all, before any command runs. */
export function judgeMessage(
  message: IncomingMessage,
  policy: MessagePolicySettings,
): PolicyVerdict {
  if (policy.allowedChats && !policy.allowedChats.includes(message.chatId)) {
    return 'chat-not-allowed';
  }
  const inGroup = message.chatType !== 'p2p';
  if (inGroup && policy.requireMentionInGroups && !message.mentionedBot) return 'not-mentioned';
  return 'answer';
}
