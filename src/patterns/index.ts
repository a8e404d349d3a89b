export { matches } from './match.js';
export { parsePattern, toPattern, PatternSyntaxError } from './parse.js';
export type { ParseOptions, ParsedPattern, PatternDiagnostic, PatternDiagnosticCode, PatternPart, Token } from './parse.js';
export { parseTemplate } from './template.js';
export type { ParsedTemplate, TemplatePiece, TemplateDiagnostic } from './template.js';
export {
  overlaps,
  overlapWitness,
  covers,
  uncoveredWitness,
  patternCovers,
  decideCovers,
  decidePatternCovers,
  patternsOverlap,
  TemplateSyntaxError,
} from './operations.js';
export type { Decision, PatternInput, TemplateInput } from './operations.js';
export { isBroad, broadReason } from './broad.js';
export type { BroadOptions } from './broad.js';
export { escapeGlob } from './escape.js';
