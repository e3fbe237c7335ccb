/** Breaking-change review of the OpenAPI spec: classified diffs and their Markdown report. */
export { readDocument, type OpenApiDocument, type Schema } from './document.js';
export { diffSchema, type Direction } from './diff-schema.js';
export { diffOperations } from './diff-operations.js';
export { diffDocuments, diffSpecs, isMajorBump, type DiffSide, type SpecDiff } from './diff-specs.js';
export { renderMarkdown } from './markdown-report.js';
export { RULES, collectChanges, type Change, type Report, type RuleId } from './rules.js';
