import Type from 'typebox';

/** The organizers' downloads. The results themselves: src/contract/results.ts (GET /api/results, GET /api/admin/results). */

/** A download that is not JSON: declared by content type, so OpenAPI lists it. */
const file = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } });
export const ResultsJsonFile = file('application/json', 'results.json (attachment): the results, pretty-printed');
export const ResultsCsvFile = file('text/csv', 'results.csv (attachment): one row per team, points');
export const EventsJsonlFile = file('application/x-ndjson', 'events.jsonl (attachment): the whole log, one event per line');
export const RetroFile = file('text/markdown', '<team>.md (attachment): the retrospective pack, en or ja');
