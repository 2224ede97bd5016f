import { Navigate } from 'react-router-dom';
import { useMe } from '../auth/auth-context';

/** `/` opens the user's first branch, else their first unit, else the org tree. */
export function HomeRedirect() {
  const me = useMe();
  const first = me.memberships.find((m) => m.unitType === 'branch') ?? me.memberships[0];
  return <Navigate to={first ? `/units/${first.unitId}` : '/org'} replace />;
}
