import { PipeTransform } from '@nestjs/common';
import { ErrorCodes } from '@branchmeet/shared';
import { DomainError } from './domain-error';

/** The largest PostgreSQL `integer`: a path number past it would fail in SQL (a 500) instead of being refused. */
export const PG_INT_MAX = 2_147_483_647;

/** A positive integer path parameter that fits an `integer` column (1 … 2,147,483,647); else a 400. */
export class IntPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > PG_INT_MAX)
      throw new DomainError(ErrorCodes.validation, 400, 'validation.badNumber', { max: PG_INT_MAX });
    return n;
  }
}
