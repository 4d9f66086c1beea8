/**
 * The standard error response (CS API v1.18 "Standard error response"): every failure leaves the test
 * homeserver as `{errcode, error}` plus any keys the error code defines, with the status the spec gives.
 */
export class MatrixHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const forbidden = (message: string): MatrixHttpError =>
  new MatrixHttpError(403, 'M_FORBIDDEN', message);
export const notFound = (message: string): MatrixHttpError =>
  new MatrixHttpError(404, 'M_NOT_FOUND', message);
export const badJson = (message: string): MatrixHttpError => new MatrixHttpError(400, 'M_BAD_JSON', message);
export const invalidParam = (message: string): MatrixHttpError =>
  new MatrixHttpError(400, 'M_INVALID_PARAM', message);
