/**
 * Imported first by the CLI. matrix-bot-sdk loads `htmlencode`, which calls `util._extend` when it loads;
 * from Node 22 that prints a DEP0060 deprecation warning on every start, even for `firebell check`. The
 * operator can do nothing about it and it hides the lines that matter, so that one warning, by its code,
 * is not printed. Every other warning is.
 */
const DROPPED_CODES = new Set(['DEP0060']);

const original = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  const code =
    typeof warning === 'string'
      ? typeof rest[1] === 'string'
        ? rest[1]
        : (options as { code?: string } | undefined)?.code
      : (warning as Error & { code?: string }).code;
  if (code !== undefined && DROPPED_CODES.has(code)) return;
  (original as (...args: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;
