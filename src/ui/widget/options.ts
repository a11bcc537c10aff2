/** Settings a school writes on the <script> tag as data attributes. */
export interface WidgetOptions {
  server: string;
  /** The language the bot starts in: any locale the server has content for (`vi`, `en`, `km`...). */
  lang: string;
  title: string;
  color: string;
  position: 'left' | 'right';
  exitUrl: string;
}

const DEFAULT_EXIT = 'https://www.google.com/search?q=th%E1%BB%9Di+ti%E1%BA%BFt';

/** Reads and checks the data attributes; anything invalid falls back to a safe default. */
export function readOptions(script: HTMLScriptElement | null): WidgetOptions {
  const data = script?.dataset ?? {};
  const src = script?.src ? new URL(script.src, location.href) : new URL(location.href);
  const lang = /^[a-z]{2,3}$/.test(data.lang ?? '') ? (data.lang as string) : 'vi';
  const color = /^#[0-9a-fA-F]{3,8}$/.test(data.color ?? '') ? (data.color as string) : '#0b6e4f';
  let exitUrl = DEFAULT_EXIT;
  try {
    const u = new URL(data.exitUrl ?? DEFAULT_EXIT, location.href);
    if (u.protocol === 'https:' || u.protocol === 'http:') exitUrl = u.href;
  } catch {
    // keep the default
  }
  return {
    server: data.server ?? src.origin,
    lang,
    title: (data.title ?? '').slice(0, 60) || (lang === 'en' ? 'Safe Journey' : 'Hỏi đáp an toàn'),
    color,
    position: data.position === 'left' ? 'left' : 'right',
    exitUrl,
  };
}
