import type { WidgetOptions } from './options.js';

/** Styles live in the widget's shadow root, so a school's CSS cannot break them (nor they the school's). */
export function styles(o: WidgetOptions): string {
  const side = o.position === 'left' ? 'left' : 'right';
  return `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.launcher { position: fixed; bottom: 16px; ${side}: 16px; z-index: 2147483000; background: ${o.color};
  color: #fff; border: 0; border-radius: 999px; padding: 12px 18px; font-size: 16px; cursor: pointer;
  box-shadow: 0 2px 8px rgba(0,0,0,.3); min-height: 44px; }
.panel { position: fixed; bottom: 16px; ${side}: 16px; z-index: 2147483001; width: min(380px, calc(100vw - 16px));
  height: min(600px, calc(100vh - 32px)); background: #fff; color: #1a1a1a; border-radius: 12px;
  box-shadow: 0 4px 24px rgba(0,0,0,.35); display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden], .launcher[hidden] { display: none; }
header { display: flex; align-items: center; gap: 8px; padding: 8px 10px; background: ${o.color}; color: #fff; }
header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
header button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.7); border-radius: 6px;
  padding: 6px 10px; font-size: 14px; cursor: pointer; min-height: 36px; }
header .exit { background: #b00020; border-color: #b00020; font-weight: 600; }
.log { position: relative; flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; font-size: 15px; line-height: 1.45; }
.msg { max-width: 88%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.user { align-self: flex-end; background: ${o.color}; color: #fff; }
.msg.bot { align-self: flex-start; background: #f1f3f4; }
.msg h3 { font-size: 15px; margin: 0 0 4px; }
.msg details { margin-top: 6px; }
.msg summary { cursor: pointer; color: #0645ad; }
.msg .sources { margin: 6px 0 0; padding-left: 18px; font-size: 13px; }
.msg a { color: #0645ad; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.choices button { border: 1px solid ${o.color}; color: ${o.color}; background: #fff; border-radius: 999px;
  padding: 6px 12px; font-size: 14px; cursor: pointer; min-height: 36px; text-align: left; }
.status { font-size: 13px; color: #8a1c1c; padding: 0 12px; min-height: 0; }
form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #ddd; }
textarea { flex: 1; resize: none; font-size: 16px; padding: 8px; border: 1px solid #888; border-radius: 8px; min-height: 44px; max-height: 120px; }
form button { background: ${o.color}; color: #fff; border: 0; border-radius: 8px; padding: 0 14px; font-size: 15px; min-height: 44px; cursor: pointer; }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  .panel { inset: 0; width: 100vw; height: 100%; border-radius: 0; }
}`;
}
