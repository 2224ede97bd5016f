import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import type { RosterImportReport } from '@branchmeet/shared';
import { App, Button, Checkbox, Space, Tooltip, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../../api/client';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';

export interface ImportOutcome {
  report: RosterImportReport;
  dryRun: boolean;
  fileName: string;
}

/** The upload button (with "check only") and the template download. */
export function RosterImportControls({
  unitId,
  onResult,
  onFailure,
}: {
  unitId: string;
  onResult: (outcome: ImportOutcome) => void;
  onFailure: (message: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);

  const upload = async (file: File) => {
    setBusy(true);
    try {
      const report = await http.importRoster(unitId, file, dryRun);
      onResult({ report, dryRun, fileName: file.name });
    } catch (err) {
      onFailure(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const downloadTemplate = async () => {
    try {
      saveBlob(await http.rosterTemplate(), 'roster-template.xlsx');
    } catch (err) {
      message.error(errorText(err, t));
    }
  };

  return (
    <Space wrap size={8}>
      {/* The test id sits on a wrapper so browser tests can reach the file input inside it. */}
      <span data-testid="roster-import" style={{ display: 'inline-block' }}>
        <Upload
          accept=".xlsx,.csv"
          showUploadList={false}
          multiple={false}
          disabled={busy}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Tooltip title={t('import.fileTypes')}>
            <Button icon={<UploadOutlined />} loading={busy}>
              {busy ? t('import.uploading') : t('roster.import')}
            </Button>
          </Tooltip>
        </Upload>
      </span>
      <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} data-testid="roster-dry-run">
        {t('roster.dryRun')}
      </Checkbox>
      <Button
        icon={<DownloadOutlined />}
        onClick={() => void downloadTemplate()}
        data-testid="roster-template"
      >
        {t('roster.template')}
      </Button>
    </Space>
  );
}
