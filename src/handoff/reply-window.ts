/**
 * When a business may still write to a person on their channel, counted from
 * the person's last message (shared/reference/channels.md, from the platforms'
 * documentation): Messenger 24 h standard, 7 days with the HUMAN_AGENT tag
 * (human replies only); Zalo OA free within 48 h, billable to 7 days, refused
 * after (-230). The web widget, LINE push and Bot Framework have no window.
 */
export interface ReplyWindow {
  limited: boolean;
  state: 'open' | 'closing' | 'closed';
  /** How long after the person's last message the window closes. */
  hardHours?: number;
  /** When the last possible reply may be sent. */
  closesAt?: Date;
  /** A softer limit inside the window (Zalo's free replies, Messenger's standard 24 h). */
  softLimitAt?: Date;
}

const HOUR = 3600_000;
const WINDOWS: Record<string, { hardHours: number; softHours: number }> = {
  messenger: { hardHours: 7 * 24, softHours: 24 },
  zalo: { hardHours: 7 * 24, softHours: 48 },
};

export function replyWindow(
  channel: string,
  lastInboundAt: Date | undefined,
  now: Date,
): ReplyWindow {
  const rule = WINDOWS[channel];
  if (!rule) return { limited: false, state: 'open' };
  if (!lastInboundAt) return { limited: true, state: 'closed', hardHours: rule.hardHours };
  const closesAt = new Date(lastInboundAt.getTime() + rule.hardHours * HOUR);
  const softLimitAt = new Date(lastInboundAt.getTime() + rule.softHours * HOUR);
  const left = closesAt.getTime() - now.getTime();
  const state = left <= 0 ? 'closed' : left < 2 * HOUR ? 'closing' : 'open';
  return { limited: true, state, closesAt, softLimitAt, hardHours: rule.hardHours };
}
