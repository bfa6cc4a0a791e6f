import * as remark from './remark.js';

/**
 * The Markdown parser. From the sources (tests, tsx) it is imported like any
 * module; the build replaces this file with one that requires dist/remark.cjs
 * the first time it is called, so a lint whose bodies the quick reader takes
 * never loads, compiles or runs remark (scripts/build.mjs).
 */
export function loadRemark(): typeof remark {
  return remark;
}
