import type { RosterImportReport } from '@branchmeet/shared';
import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderWithProviders, resetLanguage } from '../../test/render';
import { ImportReport } from './import-report';

describe('import report', () => {
  beforeEach(async () => {
    await resetLanguage();
  });

  it('lists every bad row with its reasons and says nothing was imported', () => {
    const report: RosterImportReport = {
      applied: false,
      totalRows: 1000,
      created: 0,
      updated: 0,
      groupsCreated: [],
      errors: [
        { row: 17, reasons: ['手机号须为 11 位大陆手机号码'] },
        { row: 204, reasons: ['请填写姓名', '未知职务“主任”（可填：书记/副书记/组织委员/委员/党员）'] },
        { row: 998, reasons: ['手机号 13800000001 与第 12 行重复'] },
      ],
    };
    renderWithProviders(<ImportReport report={report} dryRun={false} fileName="roster.xlsx" />);

    const card = screen.getByTestId('import-report');
    expect(card).toHaveTextContent('名册中有 3 行存在问题，未导入任何数据');
    const rows = within(card).getAllByRole('row').slice(1); // header first
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('17');
    expect(rows[0]).toHaveTextContent('手机号须为 11 位大陆手机号码');
    expect(rows[1]).toHaveTextContent('204');
    expect(within(rows[1]).getByText('请填写姓名')).toBeInTheDocument();
    expect(
      within(rows[1]).getByText('未知职务“主任”（可填：书记/副书记/组织委员/委员/党员）'),
    ).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('998');
    expect(rows[2]).toHaveTextContent('手机号 13800000001 与第 12 行重复');
  });

  it('summarises a clean import with the counts and new party groups', () => {
    const report: RosterImportReport = {
      applied: true,
      totalRows: 1000,
      created: 990,
      updated: 10,
      groupsCreated: ['第一党小组', '第二党小组'],
      errors: [],
    };
    renderWithProviders(<ImportReport report={report} dryRun={false} />);

    const card = screen.getByTestId('import-report');
    expect(card).toHaveTextContent('导入成功：共 1000 行，新增 990 人，更新 10 人。');
    expect(card).toHaveTextContent('新建党小组：第一党小组、第二党小组');
    expect(within(card).queryByRole('table')).toBeNull();
  });

  it('tells a clean dry run apart from an import', () => {
    const report: RosterImportReport = {
      applied: false,
      totalRows: 20,
      created: 0,
      updated: 0,
      groupsCreated: [],
      errors: [],
    };
    renderWithProviders(<ImportReport report={report} dryRun />);
    expect(screen.getByTestId('import-report')).toHaveTextContent('校验通过：共 20 行');
  });
});
