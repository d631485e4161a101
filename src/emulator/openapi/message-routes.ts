import { isRecord } from '../http-io.js';
import { newMessageId, stableHex } from '../ids.js';
import type { SentMessage } from '../types.js';
import { checkContent } from './message-content.js';
import {
  imInvalidParam, ok, platformError, PlatformCode, type Reply,
} from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

const RECEIVE_ID_TYPES = new Set(['open_id', 'union_id', 'user_id', 'email', 'chat_id']);

/** `POST /open-apis/im/v1/messages?receive_id_type=...` (reference §5.1). */
function createMessage(call: RouteCall, state: OpenApiState): Reply {
  const receiveIdType = call.query.get('receive_id_type') ?? '';
  if (!RECEIVE_ID_TYPES.has(receiveIdType)) {
    return imInvalidParam(`receive_id_type must be one of ${[...RECEIVE_ID_TYPES].join('|')}`);
  }
  const body = isRecord(call.body) ? call.body : {};
  const receiveId = body['receive_id'];
  if (typeof receiveId !== 'string' || receiveId === '') {
    return imInvalidParam('receive_id is required');
  }
  const rejected = rejectContent(body);
  if (rejected) return rejected;

  const uuid = typeof body['uuid'] === 'string' ? body['uuid'] : undefined;
  const repeat = state.messages.findByUuid(call.appId, uuid);
  if (repeat) return ok({ code: 0, msg: 'success', data: messageView(repeat, state) });

  const message = newSentMessage(call.appId, body, {
    receiveIdType,
    receiveId,
    chatId: receiveIdType === 'chat_id' ? receiveId : p2pChatId(call.appId, receiveId),
  });
  state.messages.recordSent(message, uuid);
  return ok({ code: 0, msg: 'success', data: messageView(message, state) });
}

/** `POST /open-apis/im/v1/messages/:message_id/reply` (reference §5.2). */
function replyMessage(call: RouteCall, state: OpenApiState): Reply {
  const target = call.params[0] ?? '';
  const place = state.messages.placeOf(target);
  if (!place) return imInvalidParam(`message_id ${target} does not exist`);
  const body = isRecord(call.body) ? call.body : {};
  const rejected = rejectContent(body);
  if (rejected) return rejected;

  const replyInThread = body['reply_in_thread'] === true;
  const message = newSentMessage(call.appId, body, {
    chatId: place.chatId,
    replyTo: target,
    replyInThread,
  });
  state.messages.recordSent(message);
  const threadId = place.threadId ?? (replyInThread ? `omt_${stableHex(target)}` : undefined);
  return ok({ code: 0, msg: 'success',
    data: { ...messageView(message, state), root_id: target, parent_id: target,
      ...(threadId && { thread_id: threadId }) } });
}

/** `PATCH /open-apis/im/v1/messages/:message_id`: cards only (reference §3.3). */
function patchMessage(call: RouteCall, state: OpenApiState): Reply {
  const target = state.messages.findSent(call.params[0] ?? '');
  if (!target) return imInvalidParam(`message_id ${call.params[0]} does not exist`);
  if (target.appId !== call.appId) {
    return platformError(400, PlatformCode.imNoPermission, 'message was not sent by this app');
  }
  if (target.msgType !== 'interactive') {
    return imInvalidParam('only interactive (card) messages can be patched');
  }
  const body = isRecord(call.body) ? call.body : {};
  const rejected = rejectContent({ msg_type: 'interactive', content: body['content'] });
  if (rejected) return rejected;
  target.patches.push(body['content'] as string);
  return ok({ code: 0, msg: 'success', data: {} });
}

function rejectContent(body: Record<string, unknown>): Reply | undefined {
  const check = checkContent(body['msg_type'], body['content']);
  if (check.ok) return undefined;
  return check.tooLong
    ? platformError(400, PlatformCode.imTooLong, check.reason)
    : imInvalidParam(check.reason);
}

function newSentMessage(
  appId: string,
  body: Record<string, unknown>,
  place: Partial<SentMessage> & { chatId: string },
): SentMessage {
  return {
    messageId: newMessageId(),
    appId,
    msgType: body['msg_type'] as string,
    content: body['content'] as string,
    patches: [],
    createdAt: Date.now(),
    ...place,
  };
}

/** One bot and one user share one p2p chat; derive its id so it is stable across sends. */
function p2pChatId(appId: string, receiveId: string): string {
  return `oc_${stableHex(`p2p:${appId}:${receiveId}`)}`;
}

function messageView(message: SentMessage, state: OpenApiState): object {
  const app = state.options.apps.find((candidate) => candidate.appId === message.appId);
  const created = String(message.createdAt);
  return {
    message_id: message.messageId,
    msg_type: message.msgType,
    create_time: created,
    update_time: created,
    deleted: false,
    updated: false,
    chat_id: message.chatId,
    sender: { id: message.appId, id_type: 'app_id', sender_type: 'app',
      tenant_key: app?.tenantKey ?? '' },
    body: { content: message.content },
  };
}

export const messageRoutes: Route[] = [
  { method: 'POST', pattern: /^\/open-apis\/im\/v1\/messages$/, auth: true,
    handle: createMessage },
  { method: 'POST', pattern: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/, auth: true,
    handle: replyMessage },
  { method: 'PATCH', pattern: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, auth: true,
    handle: patchMessage },
];
