/**
 * MailNotifier's `subject` argument in Buildbot's %-format: `%(result)s`, `%(title)s`,
 * `%(projectName)s`, `%(builder)s`, and `%%` for a percent sign. Checked once at setup, so a
 * typo is a config error rather than a lost mail.
 */

export const defaultSubject = 'Buildbot %(result)s in %(title)s on %(builder)s';

export const subjectKeys = ['result', 'title', 'projectName', 'builder'] as const;
export type SubjectValues = Record<(typeof subjectKeys)[number], string>;

const placeholder = /%(?:\(([^)]*)\)s|%)/g;

/** True when the subject is an ejs template rather than a %-format string. */
export function isEjsSubject(subject: string): boolean {
  return subject.includes('<%');
}

/** The problems of a %-format subject (unknown keys, a lone `%`), empty when it is fine. */
export function subjectProblems(subject: string): string[] {
  const problems: string[] = [];
  for (const m of subject.matchAll(placeholder)) {
    if (m[1] !== undefined && !(subjectKeys as readonly string[]).includes(m[1])) {
      problems.push(`unknown placeholder %(${m[1]})s (known: ${subjectKeys.map((k) => `%(${k})s`).join(', ')})`);
    }
  }
  const rest = subject.replace(placeholder, '');
  if (rest.includes('%')) problems.push('a lone % (write %% for a percent sign)');
  return problems;
}

export function renderSubject(subject: string, values: SubjectValues): string {
  return subject.replace(placeholder, (_, key: string | undefined) =>
    key === undefined ? '%' : values[key as keyof SubjectValues],
  );
}
