const NAMED_CONTROLS: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** C0 and C1 control characters and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text of the audited project on one line, its control characters spelled out (`\n`): data in a message, never layout. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, (c) => NAMED_CONTROLS[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Fills `{{name}}` placeholders of a message. The values are one line each, except `details`:
 * the lines a check builds below a message's first line, from text it made one line itself.
 */
export function formatMessage(template: string, data: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = data[name];
    if (value === undefined) return whole;
    return name === 'details' ? value : oneLine(value);
  });
}
