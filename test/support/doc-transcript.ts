/**
 * Runs a page's terminal transcripts and compares what they print with what the page shows, so
 * README.md and the guides cannot drift from the commands' real output.
 *
 * A page's ```console blocks are transcripts: `$ command` (continued by a trailing `\`), then the
 * lines it prints. A line `…` stands for any number of lines; elsewhere the shown lines must appear
 * together and in order in the real output (stdout and stderr, as a terminal shows them). A block
 * ```yaml file=NAME writes that file, as the page asks the reader to. Other blocks are not run.
 * Every command of a page runs in one bash session, so `cd` and `export` carry over.
 */
import { spawn } from 'node:child_process';

export type Step =
  { kind: 'file'; name: string; content: string } | { kind: 'command'; command: string; shown: string[] };

const fence = /^```([^\n]*)\n([\s\S]*?)^```$/gm;

/** The page's steps, in order. */
export function transcriptSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const [, info, body] of markdown.matchAll(fence)) {
    const [language, ...attributes] = info!.trim().split(/\s+/);
    const file = attributes.find((a) => a.startsWith('file='))?.slice('file='.length);
    if (language === 'yaml' && file) steps.push({ kind: 'file', name: file, content: body! });
    if (language !== 'console') continue;
    let current: Extract<Step, { kind: 'command' }> | undefined;
    let continued = false;
    for (const line of body!.replace(/\n$/, '').split('\n')) {
      if (continued && current) {
        current.command += `\n${line}`;
        continued = line.endsWith('\\');
      } else if (line.startsWith('$ ')) {
        current = { kind: 'command', command: line.slice(2), shown: [] };
        steps.push(current);
        continued = line.endsWith('\\');
      } else if (current) current.shown.push(line);
    }
  }
  return steps;
}

export interface CommandResult {
  command: string;
  shown: string[];
  output: string;
  exitCode: number;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Commands that need the network, and what the test runs instead (same effect, offline). */
  substitutes?: Record<string, string>;
  timeoutMs?: number;
}

const marker = '@@BBR-TRANSCRIPT@@';

/** Runs every step in one bash session; resolves with each command's output and exit code. */
export function runTranscript(steps: Step[], options: RunOptions): Promise<CommandResult[]> {
  const commands = steps.filter((s): s is Extract<Step, { kind: 'command' }> => s.kind === 'command');
  const script = steps
    .map((step) => {
      if (step.kind === 'file') return `cat > '${step.name}' <<'BBR_FILE_END'\n${step.content}BBR_FILE_END`;
      const command = options.substitutes?.[step.command] ?? step.command;
      return `echo '${marker}'\n${command}\necho "${marker} $?"`;
    })
    .join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-c', `exec 2>&1\n${script}`], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const parts = [...output.matchAll(new RegExp(`${marker}\\n([\\s\\S]*?)${marker} (\\d+)\\n`, 'g'))];
      if (parts.length !== commands.length)
        return reject(new Error(`only ${parts.length} of ${commands.length} commands finished:\n${output}`));
      resolve(
        commands.map((c, i) => ({
          command: c.command,
          shown: c.shown,
          output: parts[i]![1]!,
          exitCode: Number(parts[i]![2]),
        })),
      );
    });
  });
}

/** Values that differ from run to run (handler times, delivery ids: random UUIDs), written the same way on both sides. */
export function normalise(line: string): string {
  return line
    .replace(/"durationMs":[\d.]+/g, '"durationMs":N')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID')
    .trimEnd();
}

/**
 * The shown lines missing from `output`: each run of lines between `…` must appear consecutively,
 * and the runs in order. Empty when the page tells the truth.
 */
export function missingLines(shown: string[], output: string): string[] {
  const actual = output.split('\n').map(normalise);
  const runs: string[][] = [[]];
  for (const line of shown) {
    if (line.trim() === '…') runs.push([]);
    else runs[runs.length - 1]!.push(normalise(line));
  }
  let from = 0;
  for (const run of runs.filter((r) => r.length)) {
    let found = -1;
    for (let i = from; i + run.length <= actual.length && found < 0; i++)
      if (run.every((line, j) => actual[i + j] === line)) found = i;
    if (found < 0) return run;
    from = found + run.length;
  }
  return [];
}
