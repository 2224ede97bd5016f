import { Injectable, Module } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UsersRepository } from './users.repository';

/** What other features read of people: their display names, and whether an account is an administrator. */
@Injectable()
export class UserDirectory {
  constructor(private readonly users: UsersRepository) {}

  /** Names by user id (ids that are null, repeated or unknown are left out). */
  names(ids: (string | null)[], em?: EntityManager): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    return this.users.names(wanted, em);
  }

  /** Phone numbers by user id ('' for none). */
  phones(ids: string[]): Promise<Map<string, string>> {
    return this.users.phones([...new Set(ids)]);
  }

  /** Whether the account is a system administrator; null when it no longer exists. */
  adminFlag(userId: string): Promise<boolean | null> {
    return this.users.adminFlag(userId);
  }
}

@Module({ providers: [UsersRepository, UserDirectory], exports: [UserDirectory] })
export class UserDirectoryModule {}
