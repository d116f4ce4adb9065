import type { Command } from './command.js';
import { snapshotCommand } from '../commands/snapshot.js';
import { checkCommand } from '../commands/check.js';
import { decodeCommand } from '../commands/decode.js';

export const COMMANDS: Command[] = [checkCommand, decodeCommand, snapshotCommand];
