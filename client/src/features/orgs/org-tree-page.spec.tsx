import type { OrgUnit } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { branchA, groupA1, secretaryMe, signIn } from '../../test/fixtures';
import { mockApi } from '../../test/mock-api';
import { renderApp, resetLanguage } from '../../test/render';

function openTree(access: OrgUnit['access']) {
  signIn();
  return mockApi({
    'GET /auth/me': () => ({ body: secretaryMe }),
    'GET /org-units': () => ({
      body: [
        { ...branchA, access },
        { ...groupA1, access },
      ],
    }),
  });
}

/** The buttons follow the server's rules (shared unitRules): what the page offers, the server allows. */
describe('org tree page', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lets a branch secretary rename the branch and delete its party group, not delete the branch', async () => {
    openTree('manager');
    renderApp('/org');
    const details = await screen.findByTestId('unit-details');
    expect(within(details).getByText(branchA.name)).toBeInTheDocument();
    expect(within(details).getByTestId('unit-rename')).toBeInTheDocument();
    expect(within(details).queryByTestId('unit-delete')).toBeNull();

    await userEvent.click(await screen.findByTestId(`org-node-${groupA1.id}`));
    const group = await screen.findByTestId('unit-details');
    expect(await within(group).findByText(groupA1.name)).toBeInTheDocument();
    expect(within(group).getByTestId('unit-rename')).toBeInTheDocument();
    expect(within(group).getByTestId('unit-delete')).toBeInTheDocument();
  });

  it('offers a member and a supervisor neither', async () => {
    for (const access of ['member', 'supervisor'] as const) {
      openTree(access);
      const view = renderApp('/org');
      const details = await screen.findByTestId('unit-details');
      expect(within(details).queryByTestId('unit-rename')).toBeNull();
      expect(within(details).queryByTestId('unit-delete')).toBeNull();
      view.unmount();
    }
  });
});
