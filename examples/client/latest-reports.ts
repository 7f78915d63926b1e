/**
 * A partner's first client of CT-EWN Graph: pages through the reports the token may see, newest first,
 * and prints them as a table. Plain `fetch`, no GraphQL library: the API is JSON over HTTP POST.
 *
 * It asks for the report's source grade (`sourceReliability`, `informationCredibility`), which only
 * members may read: without a token those come back `null`, each with a FORBIDDEN error at its path,
 * beside the rest of the answer. That is partial data, not a failure: the example prints what it got,
 * shows `-` where a field was withheld, and says so on stderr. GraphQL clients that throw on any error
 * need a setting for this (graphql-request `errorPolicy: 'all'` with `rawRequest`, Apollo Client
 * `errorPolicy: 'all'`): docs/DEVELOPERS.md, "Partial data".
 *
 *   URL=http://localhost:4000/graphql \
 *   TOKEN=$(npm run -s token -- --org sc-1267 --roles analyst) \
 *   npx tsx examples/client/latest-reports.ts
 *
 * Environment: URL (default http://localhost:4000/graphql), TOKEN (none: the anonymous viewer, TLP:CLEAR
 * only), COUNTRY (ISO alpha-3, e.g. TJK), TOPIC (e.g. ONLINE_PROPAGANDA), LIMIT (how many reports to
 * print, default 50), PAGE_SIZE (1 to 100, default 20). Exits 1 with the API's error codes on failure.
 *
 * Deliberately standalone (imports nothing from the server) so a partner can copy it as it is.
 */

const QUERY = /* GraphQL */ `
  query LatestReports($first: Int!, $after: String, $filter: ReportFilter) {
    reports(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id publishedAt tlp sourceReliability informationCredibility title author { acronym } countries { iso3 } } }
    }
  }
`;

interface ReportRow {
  id: string;
  publishedAt: string;
  tlp: string;
  /** Members only: null (with a FORBIDDEN error) for the anonymous viewer. */
  sourceReliability: string | null;
  informationCredibility: number | null;
  title: string;
  author: { acronym: string } | null;
  countries: { iso3: string }[];
}

interface ReportsPage {
  reports: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: ReportRow }[];
  };
}

/** An error as the API sends it: `extensions.code` says what happened (docs/ERRORS.md). */
interface ApiErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; errorId?: string; retryAfterSeconds?: number };
}

class ApiError extends Error {
  constructor(readonly status: number, readonly errors: ApiErrorBody[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}${e.extensions?.field ? ` (${e.extensions.field})` : ''}: ${e.message}`).join('\n'));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One operation over HTTP POST. A 429 (RATE_LIMITED) is retried after the Retry-After the server gives.
 * FORBIDDEN errors beside data are returned with it (`withheld`): the field is null, the rest is
 * served. Any other error, or no data, is thrown.
 */
async function graphql<T>(url: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<{ data: T; withheld: ApiErrorBody[] }> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 429 && attempt < 4) {
      await sleep(1000 * Math.min(60, Number(response.headers.get('retry-after')) || 1));
      continue;
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T | null; errors?: ApiErrorBody[] };
    const errors = body.errors ?? [];
    const withheld = errors.filter((e) => e.extensions?.code === 'FORBIDDEN' && e.path);
    if (!response.ok || !body.data || withheld.length < errors.length) {
      throw new ApiError(response.status, errors.length ? errors : [{ message: `HTTP ${response.status} without data` }]);
    }
    return { data: body.data, withheld };
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  const url = process.env.URL ?? 'http://localhost:4000/graphql';
  const token = process.env.TOKEN || undefined;
  const limit = Number(process.env.LIMIT ?? 50);
  const pageSize = Number(process.env.PAGE_SIZE ?? 20);
  const filter = {
    ...(process.env.COUNTRY ? { country: process.env.COUNTRY } : {}),
    ...(process.env.TOPIC ? { topic: process.env.TOPIC } : {}),
  };

  const reports: ReportRow[] = [];
  let after: string | null = null;
  let total = 0;
  let pages = 0;
  const withheld = new Set<string>();
  let withheldOn = 0;
  do {
    const first = Math.min(pageSize, limit - reports.length);
    const { data: page, withheld: denied }: { data: ReportsPage; withheld: ApiErrorBody[] } = await graphql<ReportsPage>(url, token, QUERY, { first, after, filter });
    pages += 1;
    // A path is ["reports", "edges", n, "node", field]: count the reports, name the fields.
    for (const error of denied) withheld.add(String(error.path!.at(-1)));
    withheldOn += new Set(denied.map((error) => error.path![2])).size;
    total = page.reports.totalCount;
    reports.push(...page.reports.edges.map((edge) => edge.node));
    after = page.reports.pageInfo.hasNextPage ? page.reports.pageInfo.endCursor : null;
  } while (after && reports.length < limit);

  // The Admiralty grade, e.g. B2; `-` where the API withheld it.
  const grade = (r: ReportRow) => `${r.sourceReliability ?? '-'}${r.informationCredibility ?? '-'}`;
  const rows = reports.map((r) => [r.publishedAt.slice(0, 10), r.tlp, grade(r), r.author?.acronym ?? '?', r.countries.map((c) => c.iso3).join(','), r.title]);
  console.log(table([['published', 'tlp', 'grade', 'author', 'countries', 'title'], ...rows]));
  console.log(`\n${reports.length} of ${total} reports visible to this token, in ${pages} page(s)`);
  if (withheld.size > 0) {
    console.error(`FORBIDDEN: ${[...withheld].sort().join(', ')} withheld on ${withheldOn} report(s) (shown as -): this token may not read them`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
