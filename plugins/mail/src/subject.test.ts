import { expect, test } from 'vitest';
import { defaultSubject, isEjsSubject, renderSubject, subjectProblems } from './subject.js';

const values = { result: 'failure', title: 'MyProject', projectName: 'MyProject', builder: 'linux-builder' };

test("Buildbot's default %-subject renders as in mail.md §3", () => {
  expect(renderSubject(defaultSubject, values)).toBe('Buildbot failure in MyProject on linux-builder');
});

test('%% is a percent sign and every placeholder is replaced', () => {
  expect(renderSubject('100%% %(builder)s/%(projectName)s %(result)s', values)).toBe(
    '100% linux-builder/MyProject failure',
  );
});

test('an unknown placeholder or a lone % is a config problem', () => {
  expect(subjectProblems('%(buildername)s done')).toEqual([
    expect.stringContaining('unknown placeholder %(buildername)s'),
  ]);
  expect(subjectProblems('50% done')).toEqual([expect.stringContaining('lone %')]);
  expect(subjectProblems(defaultSubject)).toEqual([]);
});

test('ejs subjects are told apart from %-subjects', () => {
  expect(isEjsSubject('<%= buildername %> failed')).toBe(true);
  expect(isEjsSubject(defaultSubject)).toBe(false);
});
