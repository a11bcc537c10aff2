/**
 * When counsellors answer in the chat: "HH:MM-HH:MM" in a time zone
 * (default all day, Vietnam time). Outside these hours the person is told so
 * at once, with the 111 line, and the ticket stays queued.
 */
export interface OpeningHours {
  open: (now: Date) => boolean;
  /** As written in the configuration, for messages: "08:00-22:00". */
  label: string;
}

const SPEC = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

export function parseOpeningHours(spec: string, timeZone: string): OpeningHours {
  const m = SPEC.exec(spec.trim());
  if (!m) throw new Error(`opening hours must look like 08:00-22:00, got "${spec}"`);
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return {
    label: spec.trim(),
    open(now) {
      const [h, min] = clock.format(now).split(':').map(Number);
      const minutes = (h ?? 0) * 60 + (min ?? 0);
      if (from === to || (from === 0 && to === 24 * 60)) return true;
      // A range past midnight (22:00-06:00) wraps around.
      return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
    },
  };
}
