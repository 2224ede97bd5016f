import type { OrgUnit } from '@branchmeet/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { http } from '../../api/endpoints';

export interface UnitsContextValue {
  units: OrgUnit[];
  loading: boolean;
  error: unknown;
  reload(): Promise<void>;
  byId(unitId: string): OrgUnit | undefined;
}

const UnitsContext = createContext<UnitsContextValue | null>(null);

/** The org units the signed-in user may see, loaded once and reloaded after changes. */
export function UnitsProvider({ children }: { children: ReactNode }) {
  const [units, setUnits] = useState<OrgUnit[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setUnits(await http.listUnits());
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const value = useMemo<UnitsContextValue>(() => {
    const map = new Map(units.map((u) => [u.id, u]));
    return { units, loading, error, reload, byId: (id) => map.get(id) };
  }, [units, loading, error, reload]);
  return <UnitsContext.Provider value={value}>{children}</UnitsContext.Provider>;
}

export function useUnits(): UnitsContextValue {
  const ctx = useContext(UnitsContext);
  if (!ctx) throw new Error('useUnits must be used inside <UnitsProvider>');
  return ctx;
}
