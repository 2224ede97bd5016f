import { Empty, Flex, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as Y from 'yjs';
import { sectionTitleText } from '../../i18n/generated-text';
import type { MinutesSync } from './minutes-sync';
import { YTextArea } from './y-textarea';

interface SectionView {
  key: string;
  title: string;
  text: Y.Text;
}

function sectionsOf(sync: MinutesSync): SectionView[] {
  return sync
    .sections()
    .toArray()
    .flatMap((m) => {
      const text = m.get('text');
      return text instanceof Y.Text
        ? [{ key: String(m.get('key')), title: String(m.get('title')), text }]
        : [];
    });
}

/** The sections (one per agenda item) and the resolutions, live; writable for the recorder and the host. */
export function MinutesEditor({
  sync,
  editable,
  compact,
}: {
  sync: MinutesSync | null;
  editable: boolean;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const [sections, setSections] = useState<SectionView[]>([]);
  const [doc, setDoc] = useState<Y.Doc | null>(null);

  useEffect(() => {
    if (!sync) return;
    const refresh = () => {
      setDoc(sync.doc);
      setSections(sectionsOf(sync));
    };
    refresh();
    // The document is replaced after a refused edit; the sections array changes when the server adds one.
    const off = sync.subscribe(refresh);
    const array = sync.sections();
    array.observe(refresh);
    return () => {
      off();
      array.unobserve(refresh);
    };
  }, [sync, doc]);

  if (!sync || !sync.state.synced) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (!sections.length) return <Empty description={t('minutes.noSections')} />;
  const rows = compact ? { minRows: 3, maxRows: 12 } : { minRows: 4, maxRows: 30 };
  return (
    <Flex vertical gap={12} data-testid="minutes-editor" data-editable={editable}>
      {sections.map((s, i) => (
        <Flex vertical gap={4} key={`${s.key}-${i}`}>
          <Typography.Text strong>
            {sections.length > 1 || s.key !== 'general' ? `${i + 1}. ` : ''}
            {sectionTitleText(t, s)}
          </Typography.Text>
          <YTextArea
            text={s.text}
            editable={editable}
            autoSize={rows}
            placeholder={editable ? t('minutes.writeHere') : t('minutes.nothingYet')}
            data-testid={`minutes-section-${i}`}
            aria-label={sectionTitleText(t, s)}
          />
        </Flex>
      ))}
      <Flex vertical gap={4}>
        <Typography.Text strong>{t('minutes.resolutions')}</Typography.Text>
        <YTextArea
          key={`resolutions-${sync.doc.clientID}`}
          text={sync.resolutions()}
          editable={editable}
          autoSize={{ minRows: 2, maxRows: compact ? 8 : 20 }}
          placeholder={editable ? t('minutes.resolutionsHint') : t('minutes.nothingYet')}
          data-testid="minutes-resolutions"
          aria-label={t('minutes.resolutions')}
        />
      </Flex>
    </Flex>
  );
}
