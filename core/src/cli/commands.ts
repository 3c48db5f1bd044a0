/** The table of `bbreporters` commands. */
import { checkCommand } from './check.js';
import type { Command } from './command.js';
import { deliveriesCommand } from './deliveries.js';
import { emitCommand } from './emit.js';
import { eventsCommand } from './events.js';
import { explainCommand } from './explain.js';
import { initCommand } from './init.js';
import { listCommand } from './list.js';
import { previewCommand } from './preview.js';
import { reloadCommand } from './reload.js';
import { runCommand } from './run.js';
import { schemaCommand } from './schema.js';

export const commands: readonly Command[] = [
  initCommand,
  runCommand,
  reloadCommand,
  checkCommand,
  previewCommand,
  listCommand,
  emitCommand,
  deliveriesCommand,
  eventsCommand,
  schemaCommand,
  explainCommand,
];
