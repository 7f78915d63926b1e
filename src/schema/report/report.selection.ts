import type { GraphQLResolveInfo } from 'graphql';
import { selectsAnyBelow } from '../common/selection.js';

const REPORT_TEXT = new Set(['summary', 'body']);

/** Whether a list of reports must read their summary and body: only when the query selects either. */
export const withReportText = (info: GraphQLResolveInfo): boolean => selectsAnyBelow(info, REPORT_TEXT);
