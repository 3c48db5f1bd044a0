/**
 * The console's style sheet and its one script, served as files (`/ui/console.css`,
 * `/ui/console.js`) so the pages' Content-Security-Policy can forbid inline script: markup that
 * slipped through escaping still could not run. No framework, nothing from a CDN.
 */

export const CONSOLE_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{display:flex;gap:1.2em;align-items:center;padding:.6em 1.2em;background:#1d232a;color:#fff}
header a{color:#cfd8e3;text-decoration:none}header a.here{color:#fff;font-weight:600}
header .live{margin-left:auto;font-size:12px;color:#8a97a6}
body[data-live=on] header .live{color:#7bd88f}
main{padding:1em 1.2em;max-width:1200px}
h1{font-size:18px;margin:.2em 0 .6em}h2{font-size:15px;margin:1.4em 0 .4em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{font-weight:600;background:#eef0f3}
td.error,pre{font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}
pre{background:#fff;border:1px solid #e3e6ea;padding:.6em;max-height:30em;overflow:auto}
.state{display:inline-block;padding:0 .5em;border-radius:3px;font-size:12px;background:#e3e6ea}
.state.sent,.state.accepted{background:#d4f5dc}.state.dead,.state.failed,.state.timeout{background:#fbd5d5}
.state.retrying,.state.queued,.state.deferred{background:#fdf0c4}
form.inline{display:inline;margin:0}button{font:inherit;padding:.1em .7em;cursor:pointer}
.notice{background:#e6f0ff;border:1px solid #b9d0f5;padding:.5em .8em;margin-bottom:1em}
time{white-space:nowrap}.muted{color:#6b7785}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}
`;

/** Live refresh: each `change` on the stream fetches this page's `#live` fragment again (one fetch at a time). */
export const CONSOLE_JS = `(() => {
  const live = document.getElementById('live');
  if (!live || !window.EventSource) return;
  let busy = false;
  let again = false;
  const refresh = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      const res = await fetch(location.href, { headers: { 'x-console-fragment': '1' } });
      if (res.ok) live.innerHTML = await res.text();
    } catch {}
    busy = false;
    if (again) (again = false), refresh();
  };
  const stream = new EventSource('/ui/stream');
  stream.addEventListener('change', refresh);
  // Once connected, fetch again: what changed between this page's rendering and the stream's start.
  stream.onopen = () => ((document.body.dataset.live = 'on'), refresh());
  stream.onerror = () => (document.body.dataset.live = 'off');
})();
`;
