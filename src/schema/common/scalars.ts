import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLDateTimeISO, GraphQLEmailAddress, GraphQLLocalDate, GraphQLUUID } from 'graphql-scalars';
import { parsePeriod } from './period.js';

// Well-kept scalars from graphql-scalars; Period is the network's own notation for indicator periods.
export const DateTimeScalar = GraphQLDateTimeISO;
export const LocalDateScalar = GraphQLLocalDate;
export const EmailScalar = GraphQLEmailAddress;
export const UuidScalar = GraphQLUUID;

export const PeriodScalar = new GraphQLScalarType<string, string>({
  name: 'Period',
  description: 'An indicator period: a month `2024-03`, a quarter `2024-Q1` or a year `2024`.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new TypeError('Period must be a string such as 2024-03, 2024-Q1 or 2024');
    parsePeriod(value);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Period must be a string such as 2024-03, 2024-Q1 or 2024');
    parsePeriod(ast.value);
    return ast.value;
  },
});
