import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAssignments } from './python/literal.js';
import { isDict, type PyDict, type PyValue } from './python/values.js';

/**
 * BFCL's long_context category inflates the backends' state and results with fixed filler text
 * (`func_source_code/long_context.py`). That text is BFCL's own and is not shipped here: it is read
 * from the user's BFCL checkout, next to the data directory (`bfcl_eval/data` ->
 * `bfcl_eval/eval_checker/multi_turn_eval/func_source_code/long_context.py`).
 */
export interface LongContextFiller {
  watchListExtension: readonly PyValue[];
  transactionHistoryExtension: readonly PyValue[];
  ma5Extension: readonly PyValue[];
  ma20Extension: readonly PyValue[];
  technologyExtension: readonly PyValue[];
  automobileExtension: readonly PyValue[];
  orderDetailExtension: PyDict;
  fileContentExtension: string;
  populateFileExtension: readonly string[];
  filesTailUsed: readonly string[];
  carStatusMetadataExtension: string;
  longWeatherExtension: PyDict;
  parkingBrakeInstruction: string;
  intermediaryCities: readonly PyValue[];
  creditCardExtension: PyDict;
  bookingRecordExtension: PyDict;
}

/** Where the filler module sits relative to a `bfcl_eval/data` directory. */
export function longContextSourcePath(dataDir: string): string {
  return resolve(dataDir, '..', 'eval_checker', 'multi_turn_eval', 'func_source_code', 'long_context.py');
}

/** What went wrong reading the filler; the caller turns it into a user-facing error. */
export class LongContextFillerError extends Error {}

function list(names: Map<string, PyValue>, name: string): PyValue[] {
  const value = names.get(name);
  if (!Array.isArray(value)) throw new LongContextFillerError(`${name} is missing or not a list`);
  return value;
}

function text(names: Map<string, PyValue>, name: string): string {
  const value = names.get(name);
  if (typeof value !== 'string') throw new LongContextFillerError(`${name} is missing or not a str`);
  return value;
}

function mapping(names: Map<string, PyValue>, name: string): PyDict {
  const value = names.get(name);
  if (!isDict(value)) throw new LongContextFillerError(`${name} is missing or not a dict`);
  return value;
}

function strings(names: Map<string, PyValue>, name: string): string[] {
  return list(names, name).map((item) => {
    if (typeof item !== 'string') throw new LongContextFillerError(`${name} holds a non-str item`);
    return item;
  });
}

/** Parses the filler constants out of BFCL's `long_context.py` source (literals only; nothing runs). */
export function parseLongContextFiller(source: string): LongContextFiller {
  const names = parseAssignments(source);
  return {
    watchListExtension: list(names, 'WATCH_LIST_EXTENSION'),
    transactionHistoryExtension: list(names, 'TRANSACTION_HISTORY_EXTENSION'),
    ma5Extension: list(names, 'MA_5_EXTENSION'),
    ma20Extension: list(names, 'MA_20_EXTENSION'),
    technologyExtension: list(names, 'TECHNOLOGY_EXTENSION'),
    automobileExtension: list(names, 'AUTOMOBILE_EXTENSION'),
    orderDetailExtension: mapping(names, 'ORDER_DETAIL_EXTENSION'),
    fileContentExtension: text(names, 'FILE_CONTENT_EXTENSION'),
    populateFileExtension: strings(names, 'POPULATE_FILE_EXTENSION'),
    filesTailUsed: strings(names, 'FILES_TAIL_USED'),
    carStatusMetadataExtension: text(names, 'CAR_STATUS_METADATA_EXTENSION'),
    longWeatherExtension: mapping(names, 'LONG_WEATHER_EXTENSION'),
    parkingBrakeInstruction: text(names, 'PARKING_BRAKE_INSTRUCTION'),
    intermediaryCities: list(names, 'INTERMEDIARY_CITIES'),
    creditCardExtension: mapping(names, 'CREDIT_CARD_EXTENSION'),
    bookingRecordExtension: mapping(names, 'BOOKING_RECORD_EXTENSION'),
  };
}

/** Reads the filler from a checkout, or returns undefined when `dataDir` is not inside one. */
export function readLongContextFiller(dataDir: string): LongContextFiller | undefined {
  const path = longContextSourcePath(dataDir);
  if (!existsSync(path)) return undefined;
  return parseLongContextFiller(readFileSync(path, 'utf8'));
}
