/** The counsellor API client: a bearer token kept in sessionStorage (gone with the tab). */
const TOKEN = 'sj-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (t: string) => sessionStorage.setItem(TOKEN, t),
  clear: () => sessionStorage.removeItem(TOKEN),
};

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const t = token.get();
  const res = await fetch(`/api/console${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? res.statusText);
  return data as T;
}

export interface Ticket {
  id: string;
  conversationId: string;
  channel: string;
  locale: string;
  level: 'emergency' | 'urgent' | 'none';
  signals: { id: string; label: string; words: string }[];
  status: string;
  ownerId?: string;
  openedAt: string;
  claimedAt?: string;
  waitingSeconds?: number;
  preview?: string;
}

export interface Message {
  direction: 'in' | 'out';
  text: string;
  reply?: { text: string; title?: string; topicId?: string };
  createdAt: string;
}
