import { page, type Page } from './connection.js';

export function mapPage<R, T>(source: Page<R>, map: (row: R) => T): Page<T> {
  const edges = source.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) }));
  return page(edges, source.pageInfo, () => source.totalCount);
}
