import acceptanceCriteriaEmpty from './rules/acceptance-criteria-empty.js';
import brokenLink from './rules/broken-link.js';
import dependencyCycle from './rules/dependency-cycle.js';
import duplicateId from './rules/duplicate-id.js';
import fileUnreadable from './rules/file-unreadable.js';
import frontmatterMissing from './rules/frontmatter-missing.js';
import frontmatterSyntax from './rules/frontmatter-syntax.js';
import idFilenameMismatch from './rules/id-filename-mismatch.js';
import interfaceDuplicateProvider from './rules/interface-duplicate-provider.js';
import interfaceNotUpstream from './rules/interface-not-upstream.js';
import interfaceUnprovided from './rules/interface-unprovided.js';
import noIntegration from './rules/no-integration.js';
import ownershipConflict from './rules/ownership-conflict.js';
import ownsEmpty from './rules/owns-empty.js';
import phaseOrder from './rules/phase-order.js';
import placeholderText from './rules/placeholder-text.js';
import projectConfig from './rules/project-config.js';
import readWriteRace from './rules/read-write-race.js';
import redundantDependency from './rules/redundant-dependency.js';
import schema from './rules/schema.js';
import sectionEmpty from './rules/section-empty.js';
import sectionMissing from './rules/section-missing.js';
import selfDependency from './rules/self-dependency.js';
import unknownDependency from './rules/unknown-dependency.js';
import type { Rule, Severity } from './types.js';

/** Every rule, sorted by id. Adding a rule is one file and one line here. */
export const rules: readonly Rule[] = [
  acceptanceCriteriaEmpty,
  brokenLink,
  dependencyCycle,
  duplicateId,
  fileUnreadable,
  frontmatterMissing,
  frontmatterSyntax,
  idFilenameMismatch,
  interfaceDuplicateProvider,
  interfaceNotUpstream,
  interfaceUnprovided,
  noIntegration,
  ownershipConflict,
  ownsEmpty,
  phaseOrder,
  placeholderText,
  projectConfig,
  readWriteRace,
  redundantDependency,
  schema,
  sectionEmpty,
  sectionMissing,
  selfDependency,
  unknownDependency,
].sort((a, b) => (a.id < b.id ? -1 : 1));

/**
 * Severities are the contract's (SPEC-FORMAT.md), set here and not in the
 * rules, so a rule can never drift from it.
 */
export const severities: Readonly<Record<string, Severity>> = {
  'acceptance-criteria-empty': 'error',
  'broken-link': 'error',
  'dependency-cycle': 'error',
  'duplicate-id': 'error',
  'file-unreadable': 'error',
  'frontmatter-missing': 'error',
  'frontmatter-syntax': 'error',
  'id-filename-mismatch': 'error',
  'interface-duplicate-provider': 'error',
  'interface-not-upstream': 'error',
  'interface-unprovided': 'error',
  'no-integration': 'warning',
  'ownership-conflict': 'error',
  'owns-empty': 'warning',
  'phase-order': 'error',
  'placeholder-text': 'warning',
  'project-config': 'error',
  'read-write-race': 'warning',
  'redundant-dependency': 'warning',
  schema: 'error',
  'section-empty': 'warning',
  'section-missing': 'error',
  'self-dependency': 'error',
  'unknown-dependency': 'error',
};

export function severityOf(ruleId: string): Severity {
  const s = severities[ruleId];
  if (!s) throw new Error(`rule '${ruleId}' has no severity in the registry`);
  return s;
}
