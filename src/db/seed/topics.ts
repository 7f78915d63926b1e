import { Topic as TopicEnum } from '../../schema/common/enums.js';

/** A theme of the network, as the API's Topic enum names it (stored as-is in reports.topics and indicators.theme). */
export type Topic = `${TopicEnum}`;

export const TOPICS: readonly Topic[] = Object.values(TopicEnum);
