/** The file formats `cars export` writes and `cars import` reads. */

/** The formats, by name. */
export const FORMATS = ['json', 'ndjson', 'csv'] as const;
/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

/** The CSV columns, in the order `export` writes them; `import` takes them in any order. */
export const CSV_COLUMNS = ['id', 'model', 'color'] as const;
