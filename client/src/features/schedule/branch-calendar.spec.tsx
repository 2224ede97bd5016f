import { render, waitFor } from '@testing-library/react';
import dayjs from 'dayjs';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppProviders } from '../../providers';
import { branchA, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { resetLanguage } from '../../test/render';
import { BranchCalendar } from './branch-calendar';

describe('branch calendar', () => {
  beforeEach(resetLanguage);

  it('marks today, not the first of the month', async () => {
    signIn();
    mockApi({ [`GET /org-units/${branchA.id}/meetings`]: () => ({ body: [] }) });
    const { container } = render(
      <AppProviders>
        <MemoryRouter>
          <BranchCalendar unit={branchA} />
        </MemoryRouter>
      </AppProviders>,
    );
    await waitFor(() => expect(container.querySelector('.ant-picker-cell-selected')).not.toBeNull());
    expect(container.querySelector('.ant-picker-cell-selected')).toHaveAttribute(
      'title',
      dayjs().format('YYYY-MM-DD'),
    );
  });
});
