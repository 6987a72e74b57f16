/**
 * Every failure becomes a JSON body {message, issues}: `message` as the reference writes it,
 * `issues` naming each bad field (empty when no field is at fault).
 */
import { OptimizationError, ValidationError, type ErrorBody } from '../core/index.js';
import { jsonResponse } from './json-response.js';

/** A request the API refuses with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, `${what} not found`);
}

/** `value`, or a 404 naming `what` when there is none. */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(what);
  return value;
}

export function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) return jsonResponse(error.status, body(error.message), error.headers);
  if (error instanceof ValidationError) return jsonResponse(400, { message: error.message, issues: error.issues });
  if (error instanceof OptimizationError) return jsonResponse(422, body(error.message));
  console.error('unexpected error:', error);
  return jsonResponse(500, body('internal error; the server log has the details'));
}

function body(message: string): ErrorBody {
  return { message, issues: [] };
}
