import { Injectable } from '@nestjs/common';
import { correctionSnippetZh, type MeetingType, type MinutesListItem, allows } from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { MinutesRepository } from './minutes.repository';

/** The approval inbox: submitted minutes of the branches below the units whose secretary the caller is. */
@Injectable()
export class MinutesInboxService {
  constructor(
    private readonly repo: MinutesRepository,
    private readonly access: AccessService,
    private readonly meetings: MeetingDirectory,
  ) {}

  async inbox(user: AuthUser): Promise<MinutesListItem[]> {
    const units = (await this.access.visibleUnits(user)).filter(
      (u) => u.unit.type === 'branch' && allows(u.relation, 'minutes.review'),
    );
    if (!units.length) return [];
    const rows = await this.repo.inStatus(
      units.map((u) => u.unit.id),
      'submitted',
    );
    const meetings = await this.meetings.headlines(rows.map((r) => r.meetingId));
    const names = new Map(units.map((u) => [u.unit.id, u.unit.name]));
    return rows.flatMap((r) => {
      const m = meetings.get(r.meetingId);
      if (!m) return [];
      return [
        {
          meetingId: r.meetingId,
          unitId: r.unitId,
          unitName: names.get(r.unitId) ?? '',
          meetingType: m.type as MeetingType,
          title: m.title,
          startedAt: m.startedAt.toISOString(),
          status: r.status,
          revision: r.revision,
          submittedAt: r.submittedAt?.toISOString() ?? null,
          snippet: (r.reason ? correctionSnippetZh(r.reason) : r.content).slice(0, 80),
        },
      ];
    });
  }
}
