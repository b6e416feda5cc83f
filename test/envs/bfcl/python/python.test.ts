import { describe, expect, it } from 'vitest';
import { strptime } from '../../../../src/envs/bfcl/python/datetime.js';
import { decimalSqrt } from '../../../../src/envs/bfcl/python/decimal.js';
import { pyEquals } from '../../../../src/envs/bfcl/python/equals.js';
import { parsePyJson, pyJsonDumps } from '../../../../src/envs/bfcl/python/json.js';
import { parseAssignments, parseCall, parseExpression } from '../../../../src/envs/bfcl/python/literal.js';
import { mpLogRatio } from '../../../../src/envs/bfcl/python/mpmath.js';
import { add, floatRepr, formatFixed, mul, pyRound, sum, truediv } from '../../../../src/envs/bfcl/python/numbers.js';
import { PyRandom } from '../../../../src/envs/python-random.js';
import { pyRepr } from '../../../../src/envs/bfcl/python/repr.js';
import { splitlines, splitWhitespace } from '../../../../src/envs/bfcl/python/strings.js';
import { dict, float, PyException, type PyValue } from '../../../../src/envs/bfcl/python/values.js';

// Expected values below were printed by CPython 3.11 (and mpmath 1.3) for the same inputs.

describe('float repr', () => {
  it('matches CPython repr, exponent form outside 1e-4..1e16', () => {
    const values = [0.1, 1e16, 1.5e16, 1e-5, 0.0001, 123456789012345.6, 1e22, -0, 2.5, 100, 1 / 3, 5e-324, 1.7976931348623157e308];
    expect(values.map((x) => floatRepr(x))).toEqual([
      '0.1', '1e+16', '1.5e+16', '1e-05', '0.0001', '123456789012345.6', '1e+22', '-0.0', '2.5', '100.0', '0.3333333333333333', '5e-324', '1.7976931348623157e+308',
    ]);
  });
});

describe('int and float stay apart', () => {
  it('through arithmetic', () => {
    expect(pyRepr(add(10, 5))).toBe('15');
    expect(pyRepr(add(float(10), 5))).toBe('15.0');
    expect(pyRepr(truediv(37, 1))).toBe('37.0');
    expect(pyRepr(mul(float(30), float(3.78541)))).toBe('113.56230000000001');
    expect(pyRepr(sum([3, 16, 60]))).toBe('79');
  });

  it('through JSON parsing and dumping', () => {
    const value = parsePyJson('{"a": 10, "b": 10.0, "12345": {"x": [1e2, -0.5]}}');
    expect(pyJsonDumps(value)).toBe('{"a": 10, "b": 10.0, "12345": {"x": [100.0, -0.5]}}');
  });

  it('raises Python TypeErrors for mixed types', () => {
    expect(() => add(1, 'a')).toThrow(new PyException('TypeError', "unsupported operand type(s) for +: 'int' and 'str'"));
    expect(() => add('a', 1)).toThrow('can only concatenate str (not "int") to str');
    expect(() => truediv(1, 0)).toThrow('division by zero');
    expect(() => truediv(float(1), 0)).toThrow('float division by zero');
  });
});

describe('json.dumps', () => {
  it('uses Python separators, ensure_ascii and NaN/Infinity', () => {
    const value = dict({ a: float(1), b: 'café ’', c: [true, null, float(NaN)], d: dict({ x: float(Infinity) }) });
    expect(pyJsonDumps(value)).toBe('{"a": 1.0, "b": "caf\\u00e9 \\u2019", "c": [true, null, NaN], "d": {"x": Infinity}}');
  });

  it('refuses values JSON cannot hold, as Python does', () => {
    expect(() => pyJsonDumps(dict({ result: mpLogRatio(20, 10, 2) }))).toThrow('Object of type mpf is not JSON serializable');
  });

  it('keeps numeric-looking keys in insertion order (JS objects would not)', () => {
    expect(pyJsonDumps(parsePyJson('{"b": 1, "20": 2, "3": 3}'))).toBe('{"b": 1, "20": 2, "3": 3}');
  });
});

describe('repr', () => {
  it('quotes and escapes as CPython', () => {
    const list: PyValue = ["it's", 'a"b', 'tab\there', 'nl\n', '\x00\x7f', 'café', '\u2028', dict({ k: null })];
    expect(pyRepr(list)).toBe(`["it's", 'a"b', 'tab\\there', 'nl\\n', '\\x00\\x7f', 'café', '\\u2028', {'k': None}]`);
  });
});

describe('round and fixed formatting', () => {
  it('round() is half-even on the exact binary value, keeping the type', () => {
    const results = [pyRound(float(2.675), 2), pyRound(float(2.5)), pyRound(float(0.125), 2), pyRound(float(7), 0), pyRound(7, 1), pyRound(float(1234.5), -2), pyRound(15, -1), pyRound(25, -1)];
    expect(results.map(pyRepr)).toEqual(['2.67', '2', '0.12', '7.0', '7', '1200.0', '20', '20']);
  });

  it('{:.2f} rounds like CPython', () => {
    expect([0.125, 0.375, 316, 2.675, -0.001, 1e20].map((x) => formatFixed(x, 2))).toEqual(['0.12', '0.38', '316.00', '2.67', '-0.00', '100000000000000000000.00']);
  });
});

describe('CPython random', () => {
  it('draws the same sequence as random.Random(seed)', () => {
    const r = new PyRandom(0);
    expect([1, 2, 3, 4, 5].map(() => r.randint(1, 6))).toEqual([4, 4, 1, 3, 5]);
    expect(r.random()).toBe(0.48592769656281265);
  });

  it('handles multi-word seeds and draws wider than 32 bits', () => {
    const r = new PyRandom(2 ** 40 + 5);
    expect(r.getrandbits(40)).toBe(569101979940);
    expect(r.randint(10 ** 11, 10 ** 12 - 1)).toBe(827003120297);
  });

  it('gives BFCL its known first draws', () => {
    expect(new PyRandom(200191).randint(10000, 99999)).toBe(67410);
    const travel = new PyRandom(141053);
    expect([travel.randint(1000000, 9999999), travel.randint(10000000, 99999999), travel.randint(100000000, 999999999)]).toEqual([3426812, 45451592, 498276044]);
    expect(new PyRandom(141053).uniform(-10, 40)).toBe(36.63485703790535);
  });
});

describe('mpmath logarithm', () => {
  it('matches mpmath at every precision, including the spec spot values', () => {
    const cases: Array<[PyValue, PyValue, number, string]> = [
      [float(36), float(6), 4, "mpf('2.0')"],
      [20, 10, 2, "mpf('1.3027')"],
      [10, 2, 10, "mpf('3.321928094869')"],
      [float(0.5), 10, 3, "mpf('-0.301025')"],
      [float(1e-5), 10, 6, "mpf('-5.0')"],
      [123456, 10, 20, "mpf('5.0915122016277716810687')"],
      [7, 3, 15, "mpf('1.7712437491614221')"],
      [float(1.0000001), 10, 8, "mpf('4.3429446095e-8')"],
      [2, 10, 30, "mpf('0.301029995663981195213738894724506')"],
      [float(1e300), 2, 5, "mpf('996.5791')"],
      [100, 10, 0, "mpf('2.0')"],
    ];
    for (const [value, base, precision, expected] of cases) expect(pyRepr(mpLogRatio(value, base, precision))).toBe(expected);
  });
});

describe('Decimal square root', () => {
  it('rounds half-even to the context precision and reduces exact results', () => {
    const cases: Array<[PyValue, number, string]> = [
      [2, 5, "Decimal('1.4142')"],
      [4, 10, "Decimal('2')"],
      [float(2.25), 3, "Decimal('1.5')"],
      [float(0.01), 4, "Decimal('0.1000')"],
      [float(1e-10), 6, "Decimal('0.0000100000')"],
      [123456789, 3, "Decimal('1.11E+4')"],
      [100, 1, "Decimal('1E+1')"],
      [float(0.1), 28, "Decimal('0.3162277660168379419769730259')"],
      [3, 50, "Decimal('1.7320508075688772935274463415058723669428052538104')"],
    ];
    for (const [number, precision, expected] of cases) expect(pyRepr(decimalSqrt(number, precision))).toBe(expected);
  });
});

describe('str methods', () => {
  it('splitlines and split() follow Python', () => {
    expect(splitlines('a\r\nb\rc\x0bd\x0ce\x1cf\u2028g\n')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(splitlines('x\n\n')).toEqual(['x', '']);
    expect(splitlines('')).toEqual([]);
    expect(splitWhitespace('  a\tb\x1fc  ')).toEqual(['a', 'b', 'c']);
  });
});

describe('strptime', () => {
  it('accepts unpadded fields and rejects bad dates with Python messages', () => {
    expect(strptime('2024-1-5', '%Y-%m-%d')).toBe(Date.UTC(2024, 0, 5));
    expect(() => strptime('2024-02-30', '%Y-%m-%d')).toThrow('day is out of range for month');
    expect(() => strptime('2024/01/01', '%Y-%m-%d')).toThrow("time data '2024/01/01' does not match format '%Y-%m-%d'");
    expect(() => strptime('2024-01-01x', '%Y-%m-%d')).toThrow('unconverted data remains: x');
  });
});

describe('equality', () => {
  it('compares numbers across int/float/bool and dicts without order', () => {
    expect(pyEquals(1, float(1))).toBe(true);
    expect(pyEquals(true, 1)).toBe(true);
    expect(pyEquals(parsePyJson('{"a": 1, "b": [1, 2]}'), parsePyJson('{"b": [1.0, 2], "a": 1.0}'))).toBe(true);
    expect(pyEquals(parsePyJson('[1, 2]'), parsePyJson('[2, 1]'))).toBe(false);
    expect(pyEquals('1', 1)).toBe(false);
  });
});

describe('Python literal parser', () => {
  it('parses BFCL ground-truth calls: keywords, one positional, escapes, dicts', () => {
    const call = parseCall(`edit_ticket(ticket_id=654321, updates={'priority':2, 'title': "it's \\u00e9"})`);
    expect(call.name).toBe('edit_ticket');
    expect(pyRepr(call.kwargs.map(([, value]) => value))).toBe(`[654321, {'priority': 2, 'title': "it's é"}]`);
    expect(parseCall("sort('final_report.pdf')").args).toEqual(['final_report.pdf']);
    expect(pyRepr(parseCall('fillFuelTank(15.0)').args)).toBe('[15.0]');
    expect(pyRepr(parseCall('f(x=-3, y=1+2, z=[True, None])').kwargs.map(([, v]) => v))).toBe('[-3, 3, [True, None]]');
  });

  it('parses a list of calls and a module of assignments', () => {
    const expression = parseExpression("[cd(folder='document'), ls()]");
    expect(expression.kind === 'sequence' && expression.items.map((item) => item.kind)).toEqual(['call', 'call']);
    const names = parseAssignments(`# filler\nA = ['x',\n  'y']  # trailing\nB = ("one "\n  "two")\nC = {'k': 1.5}\nD = """multi\nline"""\n`);
    expect(pyRepr([...names.values()])).toBe(`[['x', 'y'], 'one two', {'k': 1.5}, 'multi\\nline']`);
  });

  it('rejects what is not a literal call', () => {
    expect(() => parseCall('import os')).toThrow();
    expect(() => parseCall("f(a='unterminated)")).toThrow('unterminated string literal');
  });
});
