import {
  defaultFieldResolver,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from '../../errors.js';

/**
 * The text rule: what no text a client sends may contain.
 * - NUL: PostgreSQL cannot store it in text (the statement fails);
 * - other C0 and C1 control characters (U+0001–U+001F, U+007F–U+009F): terminal escapes, invisible
 *   separators; in multi-line text, line feed, carriage return and tab are allowed;
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make a title
 *   display differently from what it says ("Trojan Source"; "report\u202Efdp.exe");
 * - unpaired surrogates: not Unicode text at all.
 * Text is refused, not cleaned: a caller learns what was wrong, and what is stored is what was sent.
 */
const MULTI_LINE_REFUSED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;
const SINGLE_LINE_REFUSED = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u;

export type TextKind = 'single-line' | 'multi-line';

/**
 * The arguments and input fields whose text may span lines (schema coordinates). Every other text is
 * single-line. A coordinate that names nothing stops the schema from building (refuseUnsafeText).
 */
export const MULTI_LINE_TEXT: readonly string[] = [
  'CreateReportInput.summary',
  'CreateReportInput.body',
  'CreateReportInput.sourceDescription',
  'UpdateReportInput.summary',
  'UpdateReportInput.body',
  'UpdateReportInput.sourceDescription',
  'Mutation.createTearline(summary:)',
  'Mutation.createTearline(body:)',
  'Mutation.retractReport(reason:)',
  'Mutation.updateReport(releaseReason:)',
  'Mutation.createTearline(releaseReason:)',
  'Mutation.acknowledgeAlert(note:)',
  'Mutation.triageAlert(note:)',
  'Mutation.noteAlert(note:)',
  'ObservationInput.note',
  'ShareReportInput.purpose',
  'ShareObservationInput.purpose',
];

/** What is wrong with `value` under the text rule ("U+202E, a bidirectional override"), or undefined. */
export function unsafeTextIn(value: string, kind: TextKind): string | undefined {
  const found = (kind === 'multi-line' ? MULTI_LINE_REFUSED : SINGLE_LINE_REFUSED).exec(value);
  if (!found) return undefined;
  const char = found[0];
  const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (/\p{Cs}/u.test(char)) return `${code}, an unpaired surrogate`;
  if (/[\u202A-\u202E\u2066-\u2069]/.test(char)) return `${code}, a bidirectional override`;
  if (/[\t\n\r]/.test(char)) return `${code}, a line break or tab, in single-line text`;
  return `${code}, a control character`;
}

type Check = (value: unknown, path: string) => void;

function refuse(path: string, problem: string): never {
  throw badInput(`${path} may not contain ${problem} (control characters and bidirectional overrides are refused in text)`, path);
}

const textCheck =
  (kind: TextKind): Check =>
  (value, path) => {
    if (typeof value !== 'string') return;
    const problem = unsafeTextIn(value, kind);
    if (problem) refuse(path, problem);
  };

/** A custom scalar's value (`_Any` representations: plain JSON): every string in it, single-line. */
const anyValueCheck: Check = (value, path) => {
  if (typeof value === 'string') textCheck('single-line')(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => anyValueCheck(item, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) anyValueCheck(item, `${path}.${key}`);
  }
};

/** Builds the checks of one schema, and reports the multi-line coordinates it used. */
class TextChecks {
  readonly used = new Set<string>();
  constructor(private readonly multiLine: readonly string[]) {}
  private readonly inputs = new Map<string, Check | undefined>();
  private readonly building = new Set<string>();

  forType(type: GraphQLInputType, coordinate: string): Check | undefined {
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = this.forType(nullable.ofType, coordinate);
      return item && ((value, path) => (Array.isArray(value) ? value.forEach((v, i) => item(v, `${path}[${i}]`)) : item(value, path)));
    }
    if (isEnumType(nullable)) return undefined;
    if (isInputObjectType(nullable)) return this.forInput(nullable);
    if (nullable.name === 'String' || nullable.name === 'ID') {
      const multiLine = this.multiLine.includes(coordinate);
      if (multiLine) this.used.add(coordinate);
      return textCheck(multiLine ? 'multi-line' : 'single-line');
    }
    if (nullable.name === 'Int' || nullable.name === 'Float' || nullable.name === 'Boolean') return undefined;
    return anyValueCheck;
  }

  private forInput(type: GraphQLInputObjectType): Check | undefined {
    // A recursive input type refers to its own check, looked up when it runs.
    if (this.building.has(type.name)) return (value, path) => this.inputs.get(type.name)?.(value, path);
    if (this.inputs.has(type.name)) return this.inputs.get(type.name);
    this.building.add(type.name);
    const fields = Object.values(type.getFields())
      .map((field) => ({ name: field.name, check: this.forType(field.type, `${type.name}.${field.name}`) }))
      .filter((field): field is { name: string; check: Check } => field.check !== undefined);
    const check: Check | undefined =
      fields.length === 0
        ? undefined
        : (value, path) => {
            if (value === null || typeof value !== 'object') return;
            for (const field of fields) {
              const item = (value as Record<string, unknown>)[field.name];
              if (item !== undefined && item !== null) field.check(item, `${path}.${field.name}`);
            }
          };
    this.building.delete(type.name);
    this.inputs.set(type.name, check);
    return check;
  }

  forArguments(typeName: string, field: GraphQLField<unknown, unknown>): ((args: Record<string, unknown>) => void) | undefined {
    const checks = field.args
      .map((arg: GraphQLArgument) => ({ name: arg.name, check: this.forType(arg.type, `${typeName}.${field.name}(${arg.name}:)`) }))
      .filter((arg): arg is { name: string; check: Check } => arg.check !== undefined);
    if (checks.length === 0) return undefined;
    return (args) => {
      for (const { name, check } of checks) {
        const value = args[name];
        if (value !== undefined && value !== null) check(value, name);
      }
    };
  }
}

/**
 * Applies the text rule to every text argument of every field of the schema, in ONE place: the field's
 * resolver (and `subscribe`) first checks its arguments as graphql-js coerced them, so a value written
 * inline in the document and one passed as a variable are the same value here, at the root and in any
 * nested list, over HTTP and WebSocket alike. A refusal is BAD_USER_INPUT naming the argument path
 * (`input.title`, `filter.search`, `input.countries[1]`). Fields without text arguments are not wrapped.
 */
export function refuseUnsafeText(schema: GraphQLSchema, multiLine: readonly string[] = MULTI_LINE_TEXT): GraphQLSchema {
  const checks = new TextChecks(multiLine);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const check = checks.forArguments(type.name, field);
      if (!check) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        check(args);
        return resolve(source, args, context, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (source, args, context, info) => {
          check(args);
          return subscribe(source, args, context, info);
        };
      }
    }
  }
  const unknown = multiLine.filter((coordinate) => !checks.used.has(coordinate));
  if (unknown.length > 0) throw new Error(`MULTI_LINE_TEXT names no text argument or input field: ${unknown.join(', ')}`);
  return schema;
}
