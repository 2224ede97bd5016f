import { ParseUUIDPipe } from '@nestjs/common';
import { ErrorCodes } from '@branchmeet/shared';
import { DomainError } from './domain-error';

/** `@Param('id', UuidPipe)`: a path id must be a UUID; otherwise a 400 whose message is rendered per request. */
export class UuidPipe extends ParseUUIDPipe {
  constructor() {
    super({ exceptionFactory: () => new DomainError(ErrorCodes.validation, 400, 'validation.badId') });
  }
}
