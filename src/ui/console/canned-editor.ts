import { call } from './api.js';
import { button, el } from './dom.js';
import type { Strings } from './strings.js';

interface Canned {
  id: string;
  locale: string;
  title: string;
  text: string;
}

/** For supervisors: add, change and delete the canned replies counsellors insert. */
export async function renderCannedEditor(s: Strings): Promise<HTMLElement> {
  const box = el(
    'details',
    { class: 'panel canned-editor' },
    el('summary', { text: s.editCanned }),
  );
  const list = el('ul');
  const draw = async () => {
    const { replies } = await call<{ replies: Canned[] }>('GET', '/canned');
    list.replaceChildren(
      ...replies.map((r) =>
        el(
          'li',
          {},
          el('strong', { text: `[${r.locale}] ${r.title}: ` }),
          el('span', { text: r.text }),
          button(s.remove, async () => {
            await call('DELETE', `/canned/${r.id}`);
            await draw();
          }),
        ),
      ),
    );
  };
  // Every language that has content, as the server reports it: none is written into the console.
  const { locales } = await call<{ locales: { code: string; name: string }[] }>('GET', '/locales');
  const locale = el(
    'select',
    { attrs: { 'aria-label': s.language } },
    ...locales.map((l) =>
      el('option', { text: `${l.name} (${l.code})`, attrs: { value: l.code } }),
    ),
  );
  const title = el('input', {
    attrs: { 'aria-label': s.cannedTitle, placeholder: s.cannedTitle, maxlength: '80' },
  });
  const text = el('textarea', {
    attrs: { 'aria-label': s.cannedText, placeholder: s.cannedText, rows: '2', maxlength: '2000' },
  });
  const error = el('p', { class: 'error', attrs: { role: 'alert' } });
  const add = button(s.add, async () => {
    try {
      await call('POST', '/canned', { locale: locale.value, title: title.value, text: text.value });
      title.value = '';
      text.value = '';
      error.textContent = '';
      await draw();
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  });
  box.append(list, locale, title, text, add, error);
  await draw();
  return box;
}
