import type { Conversation, DeliverOptions, Outbound, Reply } from '../core/types.js';
import type { Logger } from './logger.js';

type Typing = (conversation: Conversation) => void | Promise<void>;
type Deliver = (
  conversation: Conversation,
  replies: Reply[],
  options: DeliverOptions,
) => void | Promise<void>;

/**
 * The outbound port, by channel: each channel adapter registers how it sends.
 * A counsellor's message to a channel without a sender is logged (without
 * text) and kept in the transcript, so nothing is lost.
 */
export function createOutboundRegistry(
  logger: Logger,
): Outbound & { register(channel: string, deliver: Deliver, typing?: Typing): void } {
  const senders = new Map<string, Deliver>();
  const typers = new Map<string, Typing>();
  return {
    register(channel, deliver, typing) {
      senders.set(channel, deliver);
      if (typing) typers.set(channel, typing);
    },
    async typing(conversation) {
      await typers.get(conversation.channel)?.(conversation);
    },
    async deliver(conversation, replies, options = {}) {
      const send = senders.get(conversation.channel);
      if (!send) {
        logger.warn(
          { channel: conversation.channel, conversationId: conversation.id },
          'no sender for channel',
        );
        return;
      }
      await send(conversation, replies, options);
    },
  };
}
