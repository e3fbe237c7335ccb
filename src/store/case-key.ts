/** The case folding both engines share, done in JavaScript so SQLite and PostgreSQL agree exactly. */

/** The key stored beside `model` and `color`, and compared with filters: JavaScript `toLowerCase()`. */
export function caseKey(value: string): string {
  return value.toLowerCase();
}
