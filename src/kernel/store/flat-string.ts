/**
 * The same text as one flat string. V8 builds the result of `+`, template literals and
 * JSON.stringify as a tree of pieces, and a long-lived map keeps the whole tree: for the
 * in-memory store's small records, that tree is as large as the text again. Copying through
 * UTF-8 gives one flat string; text that UTF-8 cannot carry (a lone surrogate) is kept as it is.
 */
export function flatString(text: string): string {
  // isWellFormed is in Node 20 and later; TypeScript's ES2022 library does not declare it.
  if (text.length < 13 || !(text as WellFormedCheck).isWellFormed()) return text;
  return Buffer.from(text, 'utf8').toString('utf8');
}

type WellFormedCheck = string & { isWellFormed(): boolean };
