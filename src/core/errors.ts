/**
 * The one error type services throw. `status` is the HTTP status an adapter should
 * answer with; `message` is safe to show to users (never a stack or an internal detail).
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Bad input, with a message per form field so pages can show each error beside its field. */
export class ValidationError extends DomainError {
  constructor(readonly fields: Record<string, string>) {
    super('invalid_input', 422, Object.values(fields).join(' '));
    this.name = 'ValidationError';
  }
}

export const notFound = (what = 'That page') => new DomainError('not_found', 404, `${what} does not exist.`);
export const forbidden = (message = 'You are not allowed to do that.') => new DomainError('forbidden', 403, message);

/** Collects field errors and throws them together, so a form shows every problem at once. */
export class FieldErrors {
  private readonly fields: Record<string, string> = {};
  add(field: string, message: string): void {
    this.fields[field] ??= message;
  }
  throwIfAny(): void {
    if (Object.keys(this.fields).length > 0) throw new ValidationError(this.fields);
  }
}
