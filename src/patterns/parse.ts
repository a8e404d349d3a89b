// The pattern engine lives in the runtime package; this path stays for the analysis's imports.
export * from '@cache-audit/runtime/patterns';
