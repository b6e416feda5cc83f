import type { BackendClass } from './base.js';
import { gorillaFileSystem } from './file-system.js';
import { mathApi } from './math.js';
import { messageApi } from './message.js';
import { twitterApi } from './posting.js';
import { ticketApi } from './ticket.js';
import { tradingBot } from './trading.js';
import { travelApi } from './travel.js';
import { vehicleControlApi } from './vehicle.js';

/** The eight BFCL multi-turn backend classes, by their Python class names. */
export const BACKEND_CLASSES: ReadonlyMap<string, BackendClass<unknown>> = new Map(
  ([gorillaFileSystem, mathApi, messageApi, twitterApi, ticketApi, tradingBot, travelApi, vehicleControlApi] as BackendClass<never>[]).map(
    (backend) => [backend.name, backend as BackendClass<unknown>],
  ),
);
