// The signed-in agent and the workspaces they belong to, as the last
// sign-in or GET /me said. Pages that are not about one workspace (the
// profile, the owners' workspaces page) read it here; app.js redraws the
// avatar and the workspace picker on its "change" event.
import { call, setSession } from './api.js';

class Session extends EventTarget {
  agent = null;
  memberships = [];

  // set takes the answer of a sign-in, an accepted invitation or GET /me.
  set(me) {
    this.agent = me.agent;
    this.memberships = me.memberships ?? [];
    if (me.csrf_token) setSession(me.csrf_token);
    this.dispatchEvent(new Event('change'));
  }

  // reload asks the server again, after a change of memberships (a new
  // workspace, a deactivation) or of the agent (a new name).
  async reload() {
    this.set(await call('GET', '/me'));
    return this;
  }

  // setAgent keeps the agent as a PATCH /me answered it.
  setAgent(agent) {
    this.agent = { ...this.agent, ...agent };
    this.dispatchEvent(new Event('change'));
  }

  get owner() {
    return Boolean(this.agent?.owner);
  }

  // active lists the memberships the agent may open: a deactivated
  // member cannot use that workspace until a master reactivates them.
  get active() {
    return this.memberships.filter(isActive);
  }

  membership(workspaceId) {
    return this.memberships.find((m) => m.workspace_id === workspaceId) ?? null;
  }

  clear() {
    this.agent = null;
    this.memberships = [];
  }
}

// isActive tells whether a member may work: members carry active (false
// once deactivated) and agent.status events carry inactive: true.
export const isActive = (m) => Boolean(m) && m.active !== false && !m.inactive;

export const session = new Session();
