/**
 * The `bbreporters` commands, by name. Each command's module is imported only when it is asked for:
 * a command loads what it needs and nothing another command needs (`check` no ledger, no service).
 */
import type { Command } from './command.js';

const loaders: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./init.js')).initCommand,
  run: async () => (await import('./run.js')).runCommand,
  reload: async () => (await import('./reload.js')).reloadCommand,
  check: async () => (await import('./check.js')).checkCommand,
  preview: async () => (await import('./preview.js')).previewCommand,
  list: async () => (await import('./list.js')).listCommand,
  emit: async () => (await import('./emit.js')).emitCommand,
  deliveries: async () => (await import('./deliveries.js')).deliveriesCommand,
  events: async () => (await import('./events.js')).eventsCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
};

/** The command called `name`, or undefined when there is none. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(loaders, name) ? loaders[name]() : undefined;
}

/** Every command, in the order `bbreporters --help` lists them. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}
