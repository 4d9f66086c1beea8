/** What a thrown value says, for a log line or a reason: its message when it is an Error. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
