import type { FleetReport } from './types.js';
import { jsonHeader, type JsonHeader } from '../output/json-header.js';

/** The --json shape of fleet (schema/fleet.schema.json): the report as built. */
export type FleetJson = JsonHeader<'fleet'> & FleetReport;

export function fleetJson(r: FleetReport): FleetJson {
  return { ...jsonHeader('fleet'), ...r };
}
