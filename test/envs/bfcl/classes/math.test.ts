import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const math = () => backend('MathAPI');

describe('MathAPI', () => {
  it('logarithm shows mpmath values through repr (not JSON)', () => {
    expect(math().run('logarithm(value=36.0, base=6.0, precision=4)')).toBe("{'result': mpf('2.0')}");
    expect(math().run('logarithm(value=20, base=10, precision=2)')).toBe("{'result': mpf('1.3027')}");
    expect(math().run('logarithm(value=10, base=1, precision=5)')).toBe('{"error": ""}');
  });

  it('mean, standard_deviation, min, max, sum and their errors', () => {
    const m = math();
    expect(m.run('mean(numbers=[3, 16, 60])')).toBe('{"result": 26.333333333333332}');
    expect(m.run('mean([37])')).toBe('{"result": 37.0}');
    expect(m.run('mean(numbers=[])')).toBe('{"error": "Cannot calculate mean of an empty list"}');
    expect(m.run("mean(numbers=[1, 'a'])")).toBe('{"error": "All elements in the list must be numbers"}');
    expect(m.run('standard_deviation(numbers=[100, 95, 85, 90, 88, 92])')).toBe('{"result": 4.85340659285368}');
    expect(m.run('standard_deviation(numbers=[])')).toBe('{"error": "Cannot calculate standard deviation of an empty list"}');
    expect(m.run('min_value(numbers=[3, 1.5, 2])')).toBe('{"result": 1.5}');
    expect(m.run('min_value(numbers=[])')).toBe('{"error": "Cannot find minimum of an empty list"}');
    expect(m.run("max_value(numbers=['a', 'b'])")).toBe('{"result": "b"}');
    expect(m.run("max_value(numbers=[1, 'b'])")).toBe('{"error": "All elements in the list must be numbers"}');
    expect(m.run('max_value(numbers=[])')).toBe('{"error": "Cannot find maximum of an empty list"}');
    expect(m.run('sum_values(numbers=[1, 2.5])')).toBe('{"result": 3.5}');
    expect(m.run('sum_values(numbers=[])')).toBe('{"error": "Cannot calculate sum of an empty list"}');
  });

  it('unit conversions keep Python arithmetic', () => {
    const m = math();
    expect(m.run("si_unit_conversion(value=5, unit_in='km', unit_out='cm')")).toBe('{"result": 500000.0}');
    expect(m.run("si_unit_conversion(value=3, unit_in='cm', unit_out='km')")).toBe('{"result": 3e-05}');
    expect(m.run("si_unit_conversion(value='3', unit_in='cm', unit_out='km')")).toBe('{"error": "Value must be a number"}');
    expect(m.run("si_unit_conversion(value=3, unit_in='cm', unit_out='ly')")).toBe(`{"error": "Conversion from 'cm' to 'ly' is not supported"}`);
    expect(m.run("imperial_si_conversion(value=100, unit_in='celsius', unit_out='fahrenheit')")).toBe('{"result": 212.0}');
    expect(m.run("imperial_si_conversion(value=212, unit_in='fahrenheit', unit_out='celsius')")).toBe('{"result": 100.0}');
    expect(m.run("imperial_si_conversion(value=10, unit_in='in', unit_out='cm')")).toBe('{"result": 25.4}');
    expect(m.run("imperial_si_conversion(value=10, unit_in='in', unit_out='in')")).toBe('{"result": 10}');
    expect(m.run("imperial_si_conversion(value=10, unit_in='in', unit_out='ly')")).toBe(`{"error": "Conversion from 'in' to 'ly' is not supported"}`);
  });

  it('arithmetic and its errors', () => {
    const m = math();
    expect(m.run('add(a=1, b=2)')).toBe('{"result": 3}');
    expect(m.run("add(a=1, b='x')")).toBe('{"error": "Both inputs must be numbers"}');
    expect(m.run('subtract(a=1.5, b=2)')).toBe('{"result": -0.5}');
    expect(m.run('multiply(a=3, b=2.0)')).toBe('{"result": 6.0}');
    expect(m.run("multiply(a='3', b=2)")).toBe('{"error": "Both inputs must be numbers"}');
    expect(m.run('divide(a=7, b=2)')).toBe('{"result": 3.5}');
    expect(m.run('divide(a=7, b=0)')).toBe('{"error": "Cannot divide by zero"}');
    expect(m.run('power(base=2, exponent=10)')).toBe('{"result": 1024}');
    expect(m.run('power(base=2, exponent=-1)')).toBe('{"result": 0.5}');
    expect(m.run('power(base=-8.0, exponent=0.5)')).toBe("{'result': (1.7319121124709868e-16+2.8284271247461903j)}");
    expect(m.run('absolute_value(number=-3)')).toBe('{"result": 3}');
    expect(m.run("absolute_value(number='x')")).toBe('{"error": "Input must be a number"}');
    expect(m.run('round_number(number=3.14159, decimal_places=2)')).toBe('{"result": 3.14}');
    expect(m.run('round_number(number=2.5)')).toBe('{"result": 2.0}');
    expect(m.run('round_number(number=2.5, decimal_places=1.5)')).toBe('{"error": "First input must be a number, second input must be an integer"}');
    expect(m.run('percentage(part=1, whole=3)')).toBe('{"result": 33.33333333333333}');
    expect(m.run('percentage(part=1, whole=0)')).toBe('{"error": "Whole value cannot be zero"}');
  });

  it('square_root uses Decimal at the given precision', () => {
    const m = math();
    expect(m.run('square_root(number=2, precision=5)')).toBe("{'result': Decimal('1.4142')}");
    expect(m.run('square_root(number=-4, precision=5)')).toBe('{"error": "Cannot calculate square root of a negative number"}');
    expect(m.run("square_root(number='4', precision=5)")).toBe('{"error": "Input must be a number or computation resulted in an invalid operation"}');
  });

  it('binds arguments as Python does, with its TypeError texts', () => {
    const m = math();
    expect(m.run('mean()')).toBe("Error during execution: MathAPI.mean() missing 1 required positional argument: 'numbers'");
    expect(m.run('add(a=1)')).toBe("Error during execution: MathAPI.add() missing 1 required positional argument: 'b'");
    expect(m.run('logarithm()')).toBe("Error during execution: MathAPI.logarithm() missing 3 required positional arguments: 'value', 'base', and 'precision'");
    expect(m.run('add(a=1, b=2, c=3)')).toBe("Error during execution: MathAPI.add() got an unexpected keyword argument 'c'");
    expect(m.run('add(1, a=2)')).toBe("Error during execution: MathAPI.add() got multiple values for argument 'a'");
    expect(m.run('absolute_value(1, 2)')).toBe('Error during execution: MathAPI.absolute_value() takes 2 positional arguments but 3 were given');
  });
});
