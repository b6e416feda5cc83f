import { add, mul, neg, power, sub, truediv, isNumber, numberValue } from './numbers.js';
import { PyException, PyFloat, toKey, type PyDict, type PyValue } from './values.js';

/**
 * A parser for the small part of Python that BFCL writes and reads: call expressions with literal
 * arguments (`cd(folder='document')`, `sort('a.txt')`), lists of them, and `NAME = literal` modules
 * (the long-context filler file). It parses; it never evaluates code. Constant arithmetic (`1+2`,
 * `-3`) is folded, as BFCL's decoder does.
 */

export class PythonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at offset ${position})`);
    this.name = 'PythonSyntaxError';
  }
}

/** One call: the dotted name, positional arguments, keyword arguments in source order. */
export interface ParsedCall {
  name: string;
  args: PyValue[];
  kwargs: Array<[string, PyValue]>;
}

/** A parsed expression: a value, a call, or a list/tuple (whose items may be calls). */
export type Expression =
  | { kind: 'value'; value: PyValue }
  | { kind: 'call'; call: ParsedCall; source: string }
  | { kind: 'name'; name: string }
  | { kind: 'sequence'; items: Expression[]; tuple: boolean };

type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  value?: PyValue;
}

const OPERATORS = ['**', '//', '(', ')', '[', ']', '{', '}', ',', ':', '=', '.', '+', '-', '*', '/', '%', ';'];
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

function decodeEscapes(body: string, start: number): string {
  let out = '';
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) throw new PythonSyntaxError('unterminated string literal', start);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) throw new PythonSyntaxError(`truncated \\${next} escape`, start + i);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 1 + hexLength;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i += octal[0].length;
      continue;
    }
    // unknown escapes keep their backslash, as in Python
    out += char;
  }
  return out;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '\n') {
      if (depth === 0) tokens.push({ kind: 'newline', text: '\n', start: i, end: i + 1 });
      i += 1;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r' || char === '\f') {
      i += 1;
      continue;
    }
    if (char === '\\' && source[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (char === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
      continue;
    }
    const stringStart = /^([rRuUbBfF]{0,2})('''|"""|'|")/.exec(source.slice(i, i + 5));
    if (stringStart && (stringStart[1] === '' || /^[a-zA-Z]+$/.test(stringStart[1]!))) {
      const prefix = stringStart[1]!.toLowerCase();
      const quote = stringStart[2]!;
      const bodyStart = i + stringStart[0].length;
      let j = bodyStart;
      for (;;) {
        if (j >= source.length) throw new PythonSyntaxError('unterminated string literal', i);
        if (source[j] === '\\') {
          j += 2;
          continue;
        }
        if (quote.length === 1 && source[j] === '\n') throw new PythonSyntaxError('unterminated string literal', i);
        if (source.startsWith(quote, j)) break;
        j += 1;
      }
      const body = source.slice(bodyStart, j);
      const value = prefix.includes('r') ? body : decodeEscapes(body, bodyStart);
      tokens.push({ kind: 'string', text: source.slice(i, j + quote.length), start: i, end: j + quote.length, value });
      i = j + quote.length;
      continue;
    }
    const number = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d[\d_]*)?)/.exec(source.slice(i, i + 400));
    if (number && /[\d.]/.test(char)) {
      const text = number[0].replace(/_/g, '');
      let value: PyValue;
      if (/^0[xX]/.test(text)) value = parseInt(text.slice(2), 16);
      else if (/^0[oO]/.test(text)) value = parseInt(text.slice(2), 8);
      else if (/^0[bB]/.test(text)) value = parseInt(text.slice(2), 2);
      else value = /[.eE]/.test(text) ? new PyFloat(Number(text)) : Number(text);
      tokens.push({ kind: 'number', text: number[0], start: i, end: i + number[0].length, value });
      i += number[0].length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(source.slice(i, i + 200));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new PythonSyntaxError(`invalid character '${char}'`, i);
    if (op === '(' || op === '[' || op === '{') depth += 1;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return tokens;
}

class ExpressionParser {
  #position = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  get peek(): Token {
    return this.tokens[this.#position]!;
  }

  next(): Token {
    const token = this.tokens[this.#position]!;
    if (token.kind !== 'end') this.#position += 1;
    return token;
  }

  isOp(text: string): boolean {
    return this.peek.kind === 'op' && this.peek.text === text;
  }

  expect(text: string): Token {
    const token = this.next();
    if (token.kind !== 'op' || token.text !== text) throw new PythonSyntaxError(`expected '${text}', got '${token.text || 'end of input'}'`, token.start);
    return token;
  }

  skipNewlines(): void {
    while (this.peek.kind === 'newline' || this.isOp(';')) this.next();
  }

  /** expression, possibly a bare tuple `a, b` */
  expressionList(): Expression {
    const first = this.expression();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.peek.kind === 'end' || this.peek.kind === 'newline' || this.isOp(')')) break;
      items.push(this.expression());
    }
    return { kind: 'sequence', items, tuple: true };
  }

  expression(): Expression {
    return this.additive();
  }

  additive(): Expression {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next();
      const right = this.multiplicative();
      left = fold(op.text, left, right, op.start);
    }
    return left;
  }

  multiplicative(): Expression {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%') || this.isOp('//')) {
      const op = this.next();
      const right = this.unary();
      left = fold(op.text, left, right, op.start);
    }
    return left;
  }

  unary(): Expression {
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next();
      const operand = this.unary();
      if (op.text === '+') return operand;
      return { kind: 'value', value: neg(constant(operand, op.start)) };
    }
    return this.powerExpr();
  }

  powerExpr(): Expression {
    const base = this.postfix();
    if (!this.isOp('**')) return base;
    const op = this.next();
    const exponent = this.unary();
    return fold('**', base, exponent, op.start);
  }

  postfix(): Expression {
    const startToken = this.peek;
    let expression = this.atom();
    for (;;) {
      if (this.isOp('.') && expression.kind === 'name') {
        this.next();
        const attribute = this.next();
        if (attribute.kind !== 'name') throw new PythonSyntaxError('expected an attribute name', attribute.start);
        expression = { kind: 'name', name: `${expression.name}.${attribute.text}` };
        continue;
      }
      if (this.isOp('(') && expression.kind === 'name') {
        const call = this.callArguments(expression.name);
        const end = this.tokens[this.#position - 1]!.end;
        expression = { kind: 'call', call, source: this.source.slice(startToken.start, end) };
        continue;
      }
      return expression;
    }
  }

  callArguments(name: string): ParsedCall {
    this.expect('(');
    const args: PyValue[] = [];
    const kwargs: Array<[string, PyValue]> = [];
    while (!this.isOp(')')) {
      const token = this.peek;
      const after = this.tokens[this.#position + 1];
      if (token.kind === 'name' && after?.kind === 'op' && after.text === '=') {
        this.next();
        this.next();
        kwargs.push([token.text, argumentValue(this.expression())]);
      } else {
        if (kwargs.length > 0) throw new PythonSyntaxError('positional argument follows keyword argument', token.start);
        args.push(argumentValue(this.expression()));
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect(')');
    return { name, args, kwargs };
  }

  atom(): Expression {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'value', value: token.value! };
      case 'string': {
        let text = token.value as string;
        // adjacent literals concatenate: 'a' 'b'
        while (this.peek.kind === 'string') text += this.next().value as string;
        return { kind: 'value', value: text };
      }
      case 'name':
        if (token.text === 'True') return { kind: 'value', value: true };
        if (token.text === 'False') return { kind: 'value', value: false };
        if (token.text === 'None') return { kind: 'value', value: null };
        return { kind: 'name', name: token.text };
      case 'op':
        if (token.text === '(') return this.parenthesised();
        if (token.text === '[') return this.list();
        if (token.text === '{') return this.dictOrSet(token.start);
    }
    throw new PythonSyntaxError(`unexpected '${token.text || 'end of input'}'`, token.start);
  }

  parenthesised(): Expression {
    if (this.isOp(')')) {
      this.next();
      return { kind: 'sequence', items: [], tuple: true };
    }
    const inner = this.expressionList();
    this.expect(')');
    return inner;
  }

  list(): Expression {
    const items: Expression[] = [];
    while (!this.isOp(']')) {
      items.push(this.expression());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect(']');
    return { kind: 'sequence', items, tuple: false };
  }

  dictOrSet(start: number): Expression {
    const map: PyDict = new Map();
    while (!this.isOp('}')) {
      const key = argumentValue(this.expression());
      if (!this.isOp(':')) throw new PythonSyntaxError('set literals are not supported', start);
      this.next();
      map.set(toKey(key), argumentValue(this.expression()));
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect('}');
    return { kind: 'value', value: map };
  }
}

function constant(expression: Expression, position: number): PyValue {
  if (expression.kind === 'value') return expression.value;
  if (expression.kind === 'sequence') return expression.items.map((item) => constant(item, position));
  throw new PythonSyntaxError('only constant operands can be folded', position);
}

function fold(op: string, left: Expression, right: Expression, position: number): Expression {
  const a = constant(left, position);
  const b = constant(right, position);
  try {
    switch (op) {
      case '+':
        return { kind: 'value', value: add(a, b) };
      case '-':
        return { kind: 'value', value: sub(a, b) };
      case '*':
        return { kind: 'value', value: mul(a, b) };
      case '/':
        return { kind: 'value', value: truediv(a, b) };
      case '**':
        return { kind: 'value', value: power(a, b) };
      case '//':
      case '%': {
        if (!isNumber(a) || !isNumber(b) || numberValue(b) === 0) break;
        const x = numberValue(a);
        const y = numberValue(b);
        const floored = Math.floor(x / y);
        const result = op === '//' ? floored : x - floored * y;
        return { kind: 'value', value: a instanceof PyFloat || b instanceof PyFloat ? new PyFloat(result) : result };
      }
    }
  } catch (error) {
    if (error instanceof PyException) throw new PythonSyntaxError(error.message, position);
    throw error;
  }
  throw new PythonSyntaxError(`cannot fold '${op}'`, position);
}

/**
 * An argument's value. Lists and tuples become lists; a bare name becomes its identifier text and a
 * nested call its source text, as BFCL's decoder turns them into strings.
 */
export function argumentValue(expression: Expression): PyValue {
  switch (expression.kind) {
    case 'value':
      return expression.value;
    case 'name':
      return expression.name;
    case 'call':
      return expression.source;
    case 'sequence':
      return expression.items.map(argumentValue);
  }
}

/** Parses one Python expression (e.g. a GT call string, or a list of calls). */
export function parseExpression(source: string): Expression {
  const parser = new ExpressionParser(source, tokenize(source));
  parser.skipNewlines();
  const expression = parser.expressionList();
  parser.skipNewlines();
  if (parser.peek.kind !== 'end') throw new PythonSyntaxError(`unexpected '${parser.peek.text}'`, parser.peek.start);
  return expression;
}

/** Parses a single call expression such as `mv(source='a', destination='b')`. */
export function parseCall(source: string): ParsedCall {
  const expression = parseExpression(source);
  if (expression.kind !== 'call') throw new PythonSyntaxError('expected a function call', 0);
  return expression.call;
}

/** Reads `NAME = <literal>` statements of a Python module (comments and blank lines allowed). */
export function parseAssignments(source: string): Map<string, PyValue> {
  const tokens = tokenize(source);
  const parser = new ExpressionParser(source, tokens);
  const names = new Map<string, PyValue>();
  parser.skipNewlines();
  while (parser.peek.kind !== 'end') {
    const target = parser.next();
    if (target.kind !== 'name') throw new PythonSyntaxError('expected NAME = value', target.start);
    parser.expect('=');
    names.set(target.text, argumentValue(parser.expressionList()));
    const after: Token = parser.peek;
    if (after.kind !== 'end' && after.kind !== 'newline' && !parser.isOp(';')) throw new PythonSyntaxError(`unexpected '${after.text}'`, after.start);
    parser.skipNewlines();
  }
  return names;
}
