import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AuditService } from './audit/audit.service';
import { AuditRepository } from './audit/audit.repository';
import { hashPassword, temporaryPassword } from './auth/passwords';
import { ConfigError, loadConfig } from './config/config';
import { migrationsUrl, openDatabase, withMigratedDataSource } from './database/database';
import { ensureAdmin, seedDemo, shouldSeedDemo } from './seed/demo-seed';
import { Password, zodIssueMessage } from '@branchmeet/shared';

const usage = `usage: node dist/cli.js <command>
  create-admin --username NAME [--name 显示名] [--phone PHONE]   password from ADMIN_PASSWORD, else generated and printed
  seed-demo                                                    create the demo organisation unless it exists
  audit-verify [--checkpoints FILE]                            check the audit chain and its signed checkpoints (default
                                                               AUDIT_CHECKPOINT_FILE; FILE may be a copy of the log);
                                                               exit 1 naming the first broken or missing event`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    return await withMigratedDataSource(migrationsUrl(config, db), async (ds) => {
      switch (command) {
        case 'create-admin': {
          const { values } = parseArgs({
            args: rest,
            options: { username: { type: 'string' }, name: { type: 'string' }, phone: { type: 'string' } },
          });
          if (!values.username) throw new UsageError('create-admin needs --username');
          const given = process.env.ADMIN_PASSWORD;
          const password = given ?? temporaryPassword();
          const check = Password.safeParse(password);
          if (!check.success)
            throw new UsageError(`ADMIN_PASSWORD: ${zodIssueMessage(check.error.issues[0], 'en')}`);
          const created = await ds.transaction(async (em) => {
            const admin = await ensureAdmin(
              em,
              values.username!,
              values.name ?? values.username!,
              await hashPassword(password),
              values.phone ?? null,
            );
            if (admin) {
              await new AuditService(new AuditRepository(ds)).append(em, {
                actorId: null,
                action: 'user.create',
                entityType: 'user',
                entityId: admin.id,
                after: { username: admin.username, name: admin.name, isAdmin: true, source: 'cli' },
              });
            }
            return admin;
          });
          if (!created) {
            console.error(`a user named ${values.username} exists already; nothing changed`);
            return 1;
          }
          console.log(`administrator ${values.username} created` + (given ? '' : `; password: ${password}`));
          return 0;
        }
        case 'seed-demo': {
          if (!(await shouldSeedDemo(ds, { ...config, SEED_DEMO: 'true' }, db.embedded !== null))) {
            console.log('the demo organisation exists already; nothing changed');
            return 0;
          }
          await seedDemo(ds);
          return 0;
        }
        case 'audit-verify': {
          const { values } = parseArgs({ args: rest, options: { checkpoints: { type: 'string' } } });
          const result = await new AuditService(new AuditRepository(ds)).verify({
            checkpointFile: values.checkpoints,
          });
          const cp = result.checkpoints;
          const newest = cp.newest
            ? `newest signed checkpoint: event ${cp.newest.id} at ${cp.newest.at} (key ${cp.newest.keyId}), ` +
              `${cp.valid} checkpoint(s) in ${cp.file}`
            : `no signed checkpoint of this database in ${cp.file}: a deleted tail cannot be detected`;
          if (cp.forged > 0) console.error(`${cp.forged} checkpoint line(s) with a bad signature ignored`);
          if (result.ok) {
            console.log(`audit chain intact: ${result.checked} events checked; ${newest}`);
            return 0;
          }
          const { id, reason } = result.firstBroken!;
          const detail =
            reason === 'truncated'
              ? `: the table ends at event ${result.lastId ?? '(none)'}; newer events were deleted`
              : '';
          console.error(
            `audit chain BROKEN at event ${id} (${reason})${detail}; ` +
              `${result.checked} events before it are intact; ${newest}`,
          );
          return 1;
        }
        default:
          throw new UsageError(command ? `unknown command ${command}` : 'no command given');
      }
    });
  } finally {
    await db.stop();
  }
}

class UsageError extends Error {}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`${e.message}\n${usage}`);
    else console.error(e instanceof ConfigError ? e.message : e);
    process.exit(2);
  },
);
