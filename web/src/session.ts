// Who is using the UI: the role the server gives the session's credential. Actions a role may
// not use are not shown (the server refuses them anyway).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { WhoAmI } from "./api";

export const SessionContext = createContext<WhoAmI | null>(null);

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

export function useSession(): WhoAmI | null {
  return useContext(SessionContext);
}

// Whether the session may do what `role` may.
export function useCan(role: "operator" | "admin"): boolean {
  const who = useSession();
  return !!who && RANK[who.role] >= RANK[role];
}
