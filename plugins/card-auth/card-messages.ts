import type { AuthorizationSession } from '../session-manager/index.js';
import type { AuthParts } from './auth-parts.js';
import { authCard, messageContent } from './card-view.js';

/** Sends the request card to the chat, or to the user directly; returns where it went. */
export async function sendRequestCard(parts: AuthParts, session: AuthorizationSession) {
  const byChat = session.chatId !== undefined;
  const res = await parts.lark.im.v1.message.create({
    params: { receive_id_type: byChat ? 'chat_id' : 'open_id' },
    data: {
      receive_id: byChat ? session.chatId! : session.openId,
      msg_type: 'interactive',
      content: messageContent(authCard(session, parts.look)),
      // The same session never sends two cards, even if this call is retried.
      uuid: `auth-${session.id}`.slice(0, 50),
    },
  });
  return { messageId: res.data?.message_id, chatId: res.data?.chat_id ?? session.chatId };
}

/** Replaces the card of an ended session (PATCH of the message, reference §3.3). */
export async function showEndedCard(parts: AuthParts, session: AuthorizationSession) {
  if (!session.messageId) return;
  try {
    await parts.lark.im.v1.message.patch({
      path: { message_id: session.messageId },
      data: { content: messageContent(authCard(session, parts.look)) },
    });
    parts.logger.info({ sessionId: session.id, state: session.state },
      'authorization card updated');
  } catch (err) {
    parts.logger.warn({ err, sessionId: session.id }, 'authorization card not updated');
  }
}

/** Shows the consent link on the card of a session awaiting consent. */
export async function showConsentCard(parts: AuthParts, session: AuthorizationSession,
  consentUrl: string) {
  if (!session.messageId) return;
  try {
    await parts.lark.im.v1.message.patch({
      path: { message_id: session.messageId },
      data: { content: messageContent(authCard(session, parts.look, consentUrl)) },
    });
  } catch (err) {
    parts.logger.warn({ err, sessionId: session.id }, 'consent link not shown on the card');
  }
}

/** Ends an open session once; only the instance whose transition won updates the card. */
export async function endSession(parts: AuthParts, sessionId: string,
  to: 'declined' | 'expired' | 'failed', failureReason?: string) {
  const result = await parts.sessions.transition(sessionId, to,
    failureReason === undefined ? {} : { failureReason });
  if (result.ok) {
    parts.logger.info({ sessionId, state: to }, 'authorization session ended');
    await showEndedCard(parts, result.session);
  }
  return result;
}
