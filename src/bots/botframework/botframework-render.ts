import { type Composed, fitChoices, splitText } from '../compose.js';

/** How replies are shaped for Bot Framework channels (Web Chat, Teams, …). */
export interface RenderSettings {
  /**
   * Longest text of one message. Bot Framework has no limit of its own
   * (reference §0), so this is for readability in Teams and Web Chat.
   */
  textLimit: number;
  /** Most suggested actions on one message (botbuilder-dialogs allows 100 on Web Chat, 10 on Facebook). */
  actionLimit: number;
  /** Longest button title; no channel documents one, long titles only crowd the bar. */
  titleLimit: number;
  /**
   * `messageBack` posts the label as the person's text and `{payload}` as the
   * value; `postBack` posts only the value. Both are CardAction types
   * (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-add-suggested-actions).
   */
  actionType: 'messageBack' | 'postBack';
}

export const DEFAULT_RENDER: RenderSettings = {
  textLimit: 4000,
  actionLimit: 10,
  titleLimit: 40,
  actionType: 'messageBack',
};

export interface CardAction {
  type: 'messageBack' | 'postBack';
  title: string;
  value: { payload: string };
  text?: string;
  displayText?: string;
}

/** One message Activity as the outbox keeps it; the connector adds from/recipient/conversation. */
export interface BotFrameworkMessage {
  type: 'message';
  text: string;
  /** compose.ts already made plain text: Markdown rendering would mangle URLs and bullets. */
  textFormat: 'plain';
  /** `to: []` shows them to everyone in the conversation (the SDK's MessageFactory does the same). */
  suggestedActions?: { to: string[]; actions: CardAction[] };
}

export function renderBotFramework(
  replies: Composed[],
  s: RenderSettings = DEFAULT_RENDER,
): BotFrameworkMessage[] {
  return replies.flatMap((reply) => {
    const pieces = splitText(reply.text, s.textLimit);
    // The Activity schema wants a non-empty title (agents-activity cardActionZodSchema).
    const labelled = reply.choices.filter((c) => c.label.trim() !== '');
    const actions = fitChoices(labelled, s.actionLimit, s.titleLimit).map((c) =>
      cardAction(c.label, c.payload, s.actionType),
    );
    return pieces.map((text, i) => ({
      type: 'message' as const,
      text,
      textFormat: 'plain' as const,
      // Suggested actions disappear with the next message: they belong to the last piece.
      ...(i === pieces.length - 1 && actions.length
        ? { suggestedActions: { to: [], actions } }
        : {}),
    }));
  });
}

function cardAction(title: string, payload: string, type: RenderSettings['actionType']) {
  const action: CardAction = { type, title, value: { payload } };
  // messageBack shows the label in the chat as if typed, and sends it as text too.
  if (type === 'messageBack') return { ...action, text: title, displayText: title };
  return action;
}
