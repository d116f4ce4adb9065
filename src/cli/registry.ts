import type { Command } from './command.js';
import { snapshotCommand } from '../commands/snapshot.js';
import { checkCommand } from '../commands/check.js';
import { decodeCommand } from '../commands/decode.js';
import { analyzeCommand } from '../commands/analyze.js';
import { diffCommand } from '../commands/diff.js';
import { installCommand, uninstallCommand } from '../commands/install.js';
import { preflightCommand } from '../commands/preflight.js';
import { fleetCommand } from '../commands/fleet.js';
import { policyCommand } from '../commands/policy.js';

export const COMMANDS: Command[] = [checkCommand, analyzeCommand, preflightCommand, decodeCommand, snapshotCommand, diffCommand, installCommand, uninstallCommand, fleetCommand, policyCommand];
