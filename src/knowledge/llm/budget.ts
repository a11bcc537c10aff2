/**
 * Token spending per calendar day and per conversation. Kept in this
 * process's memory, keyed by the date in the configured time zone: a restart
 * starts the day again, and each instance of a multi-instance deployment has
 * its own daily budget (so N instances may spend up to N times it). That is
 * enough to stop a runaway bill; exact accounting is the provider's dashboard.
 */
export interface TokenBudget {
  /** Whether a call of about `estimate` tokens may be made now for this conversation. */
  allows(conversationId: string, estimate: number): boolean;
  /** Records tokens used (reported by the server, or estimated when it did not say). */
  spend(conversationId: string, tokens: number): void;
  /** Tokens used today (for tests and diagnostics). */
  spentToday(): number;
}

export interface BudgetOptions {
  daily: number;
  perConversation?: number | undefined;
  timeZone: string;
  /** The clock (tests move it past midnight). */
  now?: () => Date;
  /** Conversations remembered at most; the oldest are forgotten first (memory stays bounded). */
  maxConversations?: number;
}

export function createTokenBudget(options: BudgetOptions): TokenBudget {
  const { daily, perConversation, timeZone, now = () => new Date() } = options;
  const maxConversations = options.maxConversations ?? 50_000;
  const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' });
  let day = '';
  let spentToday = 0;
  // Insertion order = first spend; re-inserted on each spend, so the first key is the stalest.
  const byConversation = new Map<string, number>();

  function rollOver() {
    const today = dayOf.format(now());
    if (today !== day) {
      day = today;
      spentToday = 0;
    }
  }

  return {
    allows(conversationId, estimate) {
      rollOver();
      if (spentToday + estimate > daily) return false;
      if (perConversation === undefined) return true;
      return (byConversation.get(conversationId) ?? 0) + estimate <= perConversation;
    },
    spend(conversationId, tokens) {
      rollOver();
      spentToday += tokens;
      const used = (byConversation.get(conversationId) ?? 0) + tokens;
      byConversation.delete(conversationId);
      byConversation.set(conversationId, used);
      if (byConversation.size > maxConversations) {
        const stalest = byConversation.keys().next().value;
        if (stalest !== undefined) byConversation.delete(stalest);
      }
    },
    spentToday() {
      rollOver();
      return spentToday;
    },
  };
}

/** A rough token count for text we did not get a usage report for (about 3 characters a token). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 3);
}
