import { Injectable } from '@nestjs/common';
import type { MinutesListItem, MinutesSearchQuery, MinutesSearchResult } from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { AccessService } from '../orgs/access.service';
import { MinutesSearchRepository } from './minutes-search.repository';

/**
 * A branch's archive of minutes, newest first, searched by words in title, agenda, content or resolutions:
 * `search_text ILIKE '%…%'` served by the GIN trigram index (pg_trgm), so Chinese substrings are found without
 * word segmentation (a query of one or two characters has no trigram and scans the branch's rows).
 */
@Injectable()
export class MinutesSearchService {
  constructor(
    private readonly repo: MinutesSearchRepository,
    private readonly access: AccessService,
  ) {}

  async search(user: AuthUser, unitId: string, q: MinutesSearchQuery): Promise<MinutesSearchResult> {
    const { unit } = await this.access.unit(user, unitId, 'minutes.read');
    return this.page(unit.id, unit.name, q);
  }

  /** One page of results: the query itself (also what the benchmark times). */
  async page(unitId: string, unitName: string, q: MinutesSearchQuery): Promise<MinutesSearchResult> {
    const { rows, total } = await this.repo.search(unitId, q);
    const items: MinutesListItem[] = rows.map((r) => ({
      meetingId: r.meetingId,
      unitId: r.unitId,
      unitName,
      meetingType: r.meetingType,
      title: r.title,
      startedAt: r.startedAt.toISOString(),
      status: r.status,
      revision: r.revision,
      submittedAt: r.submittedAt?.toISOString() ?? null,
      snippet: r.snippet.replace(/\s+/g, ' ').trim(),
    }));
    return { total, items };
  }
}
