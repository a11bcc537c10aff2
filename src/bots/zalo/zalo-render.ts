import { type Composed, fitChoices, splitText } from '../compose.js';

/** A Zalo CS message (`message` of POST /v3.0/oa/message/cs, reference §1.6). */
export interface ZaloMessage {
  text: string;
  attachment?: {
    type: 'template';
    payload: { buttons: ZaloButton[] };
  };
}

/** `oa.query.hide`: the payload comes back as the person's (hidden) text (reference §1.6). */
export interface ZaloButton {
  title: string;
  type: 'oa.query.hide';
  payload: string;
}

export interface ZaloRenderLimits {
  /** Buttons per message; UNCONFIRMED (reference §1.6), ZALO_BUTTON_LIMIT. */
  buttonLimit: number;
  /** Characters per button title; UNCONFIRMED ("Max length: 100", §1.6), ZALO_BUTTON_TITLE_LIMIT. */
  buttonTitleLimit: number;
  /** Put before each payload: "query payload should start with #" (§1.6). */
  queryPrefix: string;
}

/** "Max 2000 characters" for CS text (reference §1.6; eSMS gateway doc "tối đa là 2.000 ký tự"). */
export const ZALO_TEXT_LIMIT = 2000;

/**
 * Replies as CS messages: text split within Zalo's limit, and the choices as
 * template buttons on the last piece, so they sit under the end of the answer.
 */
export function renderZalo(replies: Composed[], limits: ZaloRenderLimits): ZaloMessage[] {
  return replies.flatMap((reply) => {
    const pieces = splitText(reply.text, ZALO_TEXT_LIMIT);
    const buttons = fitChoices(reply.choices, limits.buttonLimit, limits.buttonTitleLimit).map(
      (c): ZaloButton => ({
        title: c.label,
        type: 'oa.query.hide',
        payload: `${limits.queryPrefix}${c.payload}`,
      }),
    );
    return pieces.map((text, i) =>
      i === pieces.length - 1 && buttons.length
        ? { text, attachment: { type: 'template' as const, payload: { buttons } } }
        : { text },
    );
  });
}
