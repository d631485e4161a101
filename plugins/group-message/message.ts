/** The parts of `im.message.receive_v1` this plugin reads (see the platform's event reference). */
export interface MessageReceivePayload {
  sender?: { sender_id?: { open_id?: string; union_id?: string; user_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    thread_id?: string;
    root_id?: string;
    mentions?: Mention[];
  };
}

export interface Mention {
  key?: string;
  id?: { open_id?: string; union_id?: string; user_id?: string };
  name?: string;
}

/** A received message as commands and replies see it. */
export interface IncomingMessage {
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group' | string;
  senderOpenId: string | undefined;
  /** Text with the bot's own mention removed and other mentions shown as `@Name`. */
  text: string;
  mentionedBot: boolean;
  threadId: string | undefined;
}
