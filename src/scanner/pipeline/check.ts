import { createHash } from 'node:crypto';
import { messageOf, runCheck } from '../../analysis/rule.js';
import type { RuleDefinition } from '../../analysis/rule.js';
import { RULES } from '../../../rules/index.js';
import type { FileFacts } from '../../analysis/facts.js';
import type { ScanFinding, Severity } from '../result.js';
import type { ScanSetup } from './load.js';
import type { SourceReader } from './parse.js';
import { parseSuppressions } from './suppressions.js';

/** The findings of a scan, each with a fingerprint: the rule, the file, the text of the line, its occurrence. */
export class FindingSink {
  readonly findings: ScanFinding[] = [];
  private readonly fingerprints = new Map<string, number>();

  push(finding: Omit<ScanFinding, 'fingerprint'>, lineText: string): void {
    const base = `${finding.ruleId}\u0000${finding.file}\u0000${lineText.trim()}\u0000${finding.message}`;
    const occurrence = this.fingerprints.get(base) ?? 0;
    this.fingerprints.set(base, occurrence + 1);
    this.findings.push({
      ...finding,
      fingerprint: createHash('sha1')
        .update(`${base}\u0000${String(occurrence)}`)
        .digest('hex')
        .slice(0, 16),
    });
  }
}

function severityOf(rule: RuleDefinition): Severity {
  return rule.meta.type === 'problem' ? 'error' : 'warning';
}

/** Step 4: the per-file rules (those of the ESLint plugin) over the facts of each reported file. */
export function checkFiles(
  setup: ScanSetup,
  reader: SourceReader,
  facts: readonly FileFacts[],
  isReportedFile: (file: string) => boolean,
  strict: boolean | undefined,
  sink: FindingSink,
  /** The facts of the packages the project depends on: their families count, nothing in them is reported. */
  dependencies: readonly FileFacts[] = [],
): void {
  const { registry, rel, messageRel } = setup;
  const rules = RULES.filter((rule) => strict === true || rule.meta.recommended);
  const families = [...facts, ...dependencies].flatMap((f) => f.families);
  const invalidations = [...facts, ...dependencies].flatMap((f) => f.otherInvalidations);
  // A message may name a place in a file this run did not parse (a helper's write, kept from a cached run): read then.
  const locate = (file: string, offset: number): string => {
    const source = reader.sourceOf(file) ?? reader.read(file, false);
    return `${messageRel(file)}:${String((source?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1)}`;
  };
  for (const fileFacts of facts) {
    if (!fileFacts.isRelevant || !isReportedFile(fileFacts.file)) continue;
    const text = reader.textOf(fileFacts.file) ?? '';
    const sourceFile = reader.sourceOf(fileFacts.file);
    if (!sourceFile) continue;
    const suppressions = parseSuppressions(text);
    for (const rule of rules) {
      for (const finding of runCheck(rule, {
        facts: fileFacts,
        text,
        registry,
        options: setup.analysisOptions,
        ruleOptions: setup.config.rules ?? {},
        families,
        invalidations,
        locate,
      })) {
        const start = sourceFile.getLineAndCharacterOfPosition(finding.range.start);
        const end = sourceFile.getLineAndCharacterOfPosition(finding.range.end);
        if (suppressions.isSuppressed(rule.id, start.line + 1)) continue;
        // The message's first line says what is wrong; the lines below it (made by the rule from
        // text it made one line) prove it.
        const [message = '', ...details] = messageOf(rule, finding).split('\n');
        sink.push(
          {
            ruleId: rule.id,
            severity: severityOf(rule),
            message,
            ...(details.length > 0 ? { details } : {}),
            file: rel(fileFacts.file),
            line: start.line + 1,
            column: start.character + 1,
            endLine: end.line + 1,
            endColumn: end.character + 1,
            via: viaOf(fileFacts, finding.range.start),
          },
          reader.linesOf(fileFacts.file)[start.line] ?? '',
        );
      }
    }
  }
}

/** The helper chain of the invalidation a finding is about, when it was reached through helpers. */
function viaOf(facts: FileFacts, offset: number): string[] {
  for (const handler of facts.handlers) {
    if (handler.nameRange.start === offset) {
      const through = handler.invalidations.find((i) => i.through.length > 0);
      return through ? [...through.through] : [];
    }
  }
  return [];
}
