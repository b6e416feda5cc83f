import { decimalSqrt } from '../python/decimal.js';
import { mpLogRatio } from '../python/mpmath.js';
import { abs, add, compare, isNumber, lt, mul, numberValue, power, pyRound, sub, sum, truediv } from '../python/numbers.js';
import { pyEquals } from '../python/equals.js';
import { pyStr } from '../python/repr.js';
import { dict, float, PyException, pyTypeName, truthy, type PyValue } from '../python/values.js';
import { asList, defineBackend, failure, getItem, contains } from './base.js';

/** MathAPI (BFCL `math_api.py`): stateless arithmetic helpers. `initial_config` is ignored. */

export class MathAPI {}

/** Runs `body`, turning the Python exception types the upstream method catches into its error result. */
function catching(types: readonly string[], message: string, body: () => PyValue): PyValue {
  try {
    return body();
  } catch (error) {
    if (error instanceof PyException && types.includes(error.pyType)) return failure(message);
    throw error;
  }
}

function result(value: PyValue) {
  return dict({ result: value });
}

function listOrRaise(value: PyValue): readonly PyValue[] {
  return asList(value);
}

function extreme(numbers: PyValue, sign: 1 | -1): PyValue {
  const items = listOrRaise(numbers);
  let best = items[0] as PyValue;
  for (const item of items.slice(1)) if (compare(item, best, sign > 0 ? '>' : '<') * sign > 0) best = item;
  return best;
}

const TO_METERS: ReadonlyArray<readonly [string, number]> = [
  ['km', 1000],
  ['m', 1],
  ['cm', 0.01],
  ['mm', 0.001],
  ['um', 1e-6],
  ['nm', 1e-9],
];
// 1000 and 1 are Python ints; the rest are floats
const toMeters = new Map<string, PyValue>(TO_METERS.map(([unit, factor]) => [unit, Number.isInteger(factor) ? factor : float(factor)]));
const fromMeters = new Map<string, PyValue>(TO_METERS.map(([unit, factor]) => [unit, float(1 / factor)]));

const IMPERIAL = new Map<string, PyValue>(
  (
    [
      ['cm_to_in', 0.393701],
      ['in_to_cm', 2.54],
      ['m_to_ft', 3.28084],
      ['ft_to_m', 0.3048],
      ['m_to_yd', 1.09361],
      ['yd_to_m', 0.9144],
      ['km_to_miles', 0.621371],
      ['miles_to_km', 1.60934],
      ['kg_to_lb', 2.20462],
      ['lb_to_kg', 0.453592],
      ['celsius_to_fahrenheit', 1.8],
      ['fahrenheit_to_celsius', 5 / 9],
    ] as const
  ).map(([key, factor]) => [key, float(factor)]),
);

function isPlainNumber(value: PyValue): boolean {
  // isinstance(value, (int, float)), bools included
  return isNumber(value);
}

const listMethods = {
  mean: { empty: 'Cannot calculate mean of an empty list' },
  standard_deviation: { empty: 'Cannot calculate standard deviation of an empty list' },
  min_value: { empty: 'Cannot find minimum of an empty list' },
  max_value: { empty: 'Cannot find maximum of an empty list' },
  sum_values: { empty: 'Cannot calculate sum of an empty list' },
} as const;

const NOT_NUMBERS = 'All elements in the list must be numbers';

function length(value: PyValue): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  throw new PyException('TypeError', `object of type '${pyTypeName(value)}' has no len()`);
}

export const mathApi = defineBackend<MathAPI>({
  name: 'MathAPI',
  docFile: 'math_api',
  create: () => new MathAPI(),
  publicState: () => [],
  methods: {
    logarithm: {
      params: ['value', 'base', 'precision'],
      run(_, { value, base, precision }) {
        try {
          return result(mpLogRatio(value!, base!, precision!));
        } catch (error) {
          // the upstream method catches every exception and returns its text
          if (error instanceof PyException) return failure(error.message);
          throw error;
        }
      },
    },
    mean: {
      params: ['numbers'],
      run(_, { numbers }) {
        if (!truthy(numbers!)) return failure(listMethods.mean.empty);
        return catching(['TypeError'], NOT_NUMBERS, () => result(truediv(sum(listOrRaise(numbers!)), length(numbers!))));
      },
    },
    standard_deviation: {
      params: ['numbers'],
      run(_, { numbers }) {
        if (!truthy(numbers!)) return failure(listMethods.standard_deviation.empty);
        return catching(['TypeError'], NOT_NUMBERS, () => {
          const items = listOrRaise(numbers!);
          const mean = truediv(sum(items), items.length);
          const squares = items.map((x) => {
            const d = numberValue(sub(x, mean));
            return float(d * d);
          });
          const variance = truediv(sum(squares), items.length);
          return result(float(Math.sqrt(variance.value)));
        });
      },
    },
    si_unit_conversion: {
      params: ['value', 'unit_in', 'unit_out'],
      run(_, { value, unit_in, unit_out }) {
        if (!isPlainNumber(value!)) return failure('Value must be a number');
        if (!contains(toMeters, unit_in!) || !contains(fromMeters, unit_out!)) {
          return failure(`Conversion from '${pyStr(unit_in!)}' to '${pyStr(unit_out!)}' is not supported`);
        }
        return result(mul(mul(value!, getItem(toMeters, unit_in!)), getItem(fromMeters, unit_out!)));
      },
    },
    imperial_si_conversion: {
      params: ['value', 'unit_in', 'unit_out'],
      run(_, { value, unit_in, unit_out }) {
        if (!isPlainNumber(value!)) return failure('Value must be a number');
        if (pyEquals(unit_in!, unit_out!)) return result(value!);
        const key = `${pyStr(unit_in!)}_to_${pyStr(unit_out!)}`;
        const factor = IMPERIAL.get(key);
        if (factor === undefined) return failure(`Conversion from '${pyStr(unit_in!)}' to '${pyStr(unit_out!)}' is not supported`);
        if (unit_in === 'celsius' && unit_out === 'fahrenheit') return result(add(mul(value!, factor), 32));
        if (unit_in === 'fahrenheit' && unit_out === 'celsius') return result(mul(sub(value!, 32), factor));
        return result(mul(value!, factor));
      },
    },
    add: {
      params: ['a', 'b'],
      run: (_, { a, b }) => catching(['TypeError'], 'Both inputs must be numbers', () => result(add(a!, b!))),
    },
    subtract: {
      params: ['a', 'b'],
      run: (_, { a, b }) => catching(['TypeError'], 'Both inputs must be numbers', () => result(sub(a!, b!))),
    },
    multiply: {
      params: ['a', 'b'],
      run(_, { a, b }) {
        if (!isPlainNumber(a!) || !isPlainNumber(b!)) return failure('Both inputs must be numbers');
        return result(mul(a!, b!));
      },
    },
    divide: {
      params: ['a', 'b'],
      run(_, { a, b }) {
        return catching(['TypeError'], 'Both inputs must be numbers', () => {
          if (pyEquals(b!, 0)) return failure('Cannot divide by zero');
          return result(truediv(a!, b!));
        });
      },
    },
    power: {
      params: ['base', 'exponent'],
      run: (_, { base, exponent }) => catching(['TypeError'], 'Both inputs must be numbers', () => result(power(base!, exponent!))),
    },
    square_root: {
      params: ['number', 'precision'],
      run(_, { number, precision }) {
        return catching(['TypeError', 'InvalidOperation'], 'Input must be a number or computation resulted in an invalid operation', () => {
          if (lt(number!, 0)) return failure('Cannot calculate square root of a negative number');
          return result(decimalSqrt(number!, precision!));
        });
      },
    },
    absolute_value: {
      params: ['number'],
      run: (_, { number }) => catching(['TypeError'], 'Input must be a number', () => result(abs(number!))),
    },
    round_number: {
      params: ['number', ['decimal_places', 0]],
      run: (_, { number, decimal_places }) =>
        catching(['TypeError'], 'First input must be a number, second input must be an integer', () => result(pyRound(number!, decimal_places!))),
    },
    percentage: {
      params: ['part', 'whole'],
      run(_, { part, whole }) {
        return catching(['TypeError'], 'Both inputs must be numbers', () => {
          if (pyEquals(whole!, 0)) return failure('Whole value cannot be zero');
          return result(mul(truediv(part!, whole!), 100));
        });
      },
    },
    min_value: {
      params: ['numbers'],
      run(_, { numbers }) {
        if (!truthy(numbers!)) return failure(listMethods.min_value.empty);
        return catching(['TypeError'], NOT_NUMBERS, () => result(extreme(numbers!, -1)));
      },
    },
    max_value: {
      params: ['numbers'],
      run(_, { numbers }) {
        if (!truthy(numbers!)) return failure(listMethods.max_value.empty);
        return catching(['TypeError'], NOT_NUMBERS, () => result(extreme(numbers!, 1)));
      },
    },
    sum_values: {
      params: ['numbers'],
      run(_, { numbers }) {
        if (!truthy(numbers!)) return failure(listMethods.sum_values.empty);
        return catching(['TypeError'], NOT_NUMBERS, () => result(sum(listOrRaise(numbers!))));
      },
    },
  },
});
