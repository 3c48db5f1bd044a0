/**
 * A minimal Language Server Protocol client over a child process's stdio (JSON-RPC 2.0 with
 * Content-Length framing): enough to open a document, wait for its diagnostics and ask for completion.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface Diagnostic {
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
}

export interface CompletionItem {
  label: string;
}

/** Answers the server's own requests (workspace/configuration and the like) by method. */
export type RequestAnswers = Record<string, (params: unknown) => unknown>;

export class LspClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Set<(message: Message) => void>();
  private stderr = '';

  constructor(command: string, args: string[], cwd: string, answers: RequestAnswers) {
    this.child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (let message = this.take(); message; message = this.take()) this.receive(message, answers);
    });
    this.child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`server exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** The next whole message in the buffer, if one has arrived. */
  private take(): Message | undefined {
    const headerEnd = this.buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
    const start = headerEnd + 4;
    if (this.buffer.length < start + length) return undefined;
    const body = this.buffer.subarray(start, start + length).toString('utf8');
    this.buffer = this.buffer.subarray(start + length);
    return JSON.parse(body) as Message;
  }

  private receive(message: Message, answers: RequestAnswers): void {
    if (message.id !== undefined && message.method) {
      // A request from the server: answer what we know, null otherwise.
      const answer = answers[message.method];
      this.send({ jsonrpc: '2.0', id: message.id, result: answer ? answer(message.params) : null });
    } else if (message.id !== undefined) {
      const waiter = this.pending.get(Number(message.id));
      this.pending.delete(Number(message.id));
      if (message.error) waiter?.reject(new Error(`${message.error.message} (${message.error.code})`));
      else waiter?.resolve(message.result);
    } else for (const listener of this.listeners) listener(message);
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The params of the first notification `method` for which `accept` is true (from now on). */
  nextNotification<T>(method: string, accept: (params: T) => boolean, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${method} within ${timeoutMs} ms; server stderr: ${this.stderr}`));
      }, timeoutMs);
      const listener = (message: Message) => {
        if (message.method !== method || !accept(message.params as T)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(message.params as T);
      };
      this.listeners.add(listener);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    const timer = setTimeout(() => this.child.kill(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
