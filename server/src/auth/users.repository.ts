import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { UserEntity } from './user.entity';

/** The SQL of the auth feature's people (app_user) for what other features read through UserDirectory. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async names(ids: string[], em: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const users = await em
      .getRepository(UserEntity)
      .find({ where: { id: In(ids) }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  async phones(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const users = await this.dataSource
      .getRepository(UserEntity)
      .find({ where: { id: In(ids) }, select: { id: true, phone: true } });
    return new Map(users.map((u) => [u.id, u.phone ?? '']));
  }

  /** Whether the account exists and is a system administrator (null: it is gone). */
  async adminFlag(id: string): Promise<boolean | null> {
    const row = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { id }, select: { id: true, isAdmin: true } });
    return row ? row.isAdmin : null;
  }
}
