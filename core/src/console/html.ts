/**
 * HTML from template literals, escaped by default: every value put into `html`…`` is escaped
 * unless it is itself `Html` (a fragment built the same way). Event data is hostile (a builder
 * named `<script>`), so no page builds markup any other way.
 */

/** Markup that is safe as is: only `html` makes it. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** `undefined`, `null` and `false` render nothing; arrays render each item; `Html` as is; anything else escaped. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}
