// Inbox is the console's live picture of one workspace: its settings and
// agents, the conversations the agent can see, which of them need
// attention, the open one and its customer, and the To check tickets. It
// owns the workspace's WebSocket. REST answers and events both feed it, and
// the elements on screen redraw from the events it dispatches:
//   change        conversations or their attention changed
//   conversation  one conversation changed (detail: the conversation)
//   message       a message was stored (detail: the message), system
//                 messages included
//   typing        a typing frame arrived (detail: the frame)
//   member        this agent's membership changed (detail: the member),
//                 its role included
//   deactivated   a master deactivated this agent in the workspace
//   members       the workspace's agents changed (status, capacity)
//   workspace     the workspace or its settings changed (detail: it)
//   customer      the open conversation's customer was loaded or changed
//                 (also by another agent: customer.updated)
//   tickets       the count of unread To check tickets changed
//   ticket-event  a ticket.* event arrived (detail: the event)
//   open          another conversation was opened (detail: its id, or 0)
//   alert         something new needs this agent (detail: {conversation,
//                 kind: request, message or mention, message}): the sound
//                 and the browser notification follow it (attention.js)
//   connection    the socket's state changed (detail: the state)
import { storage } from '../shared/dom.js';
import { LiveSocket, socketURL } from '../shared/live.js';
import { call, uploadFile } from './api.js';
import { Drafts } from './drafts.js';
import { isActive } from './session.js';

// The list tabs, and the states each shows. "mine" is the agent's own
// open chats (waiting and active, assigned to them), whatever the scope.
export const TABS = {
  mine: ['waiting', 'active'],
  unassigned: ['unassigned', 'bot'],
  waiting: ['waiting'],
  active: ['active'],
  closed: ['closed'],
};

// The list's flag filters (the API's ?flag=), and what each keeps.
export const FLAGS = {
  all: () => true,
  important: (c) => c.important,
  hold: (c) => c.on_hold,
  both: (c) => c.important && c.on_hold,
};

// activity is when a conversation last moved: its last message, or its
// creation. (Go sends the zero time, year 1, for "no message yet".)
export function activity(c) {
  const last = Date.parse(c.last_message_at);
  return last > 0 ? last : Date.parse(c.created_at);
}

export class Inbox extends EventTarget {
  conversations = new Map();
  members = new Map(); // agent id → member, with name, status and capacity
  ticketCount = 0; // unread tickets to check (open or pending), up to 100
  #ticketTimer = 0;
  workspace = null;
  customer = null; // the open conversation's customer, once loaded
  total = 0; // how many conversations that customer ID has had
  unread; // conversation id → visitor messages not seen yet
  requests; // ids of new conversations not seen yet
  openId = 0;
  #socket;
  #key;
  #tabs; // the agent's other consoles of this workspace in this browser
  #alerting;
  #saveTimer = 0;
  #closedLoaded = false;
  #next = new Map(); // "state flag" → the cursor of that list's next page
  // Events and REST answers race: a list asked for before an event may
  // arrive after it (#movedSince).
  #events = 0; // events applied so far
  #moved = new Map(); // conversation id → #events when an event last carried it
  #heard = new Map(); // agent id → { at: #events, member } of the last agent.status event about them

  constructor(member, agent) {
    super();
    this.workspaceId = member.workspace_id;
    this.agentId = agent.id;
    this.agentName = agent.name;
    this.#setRole(member.role);
    this.#key = `sodam.inbox.${this.workspaceId}.${this.agentId}`;
    this.drafts = new Drafts(`sodam.drafts.${this.workspaceId}.${this.agentId}`);
    const saved = readJSON(storage.get(this.#key));
    this.unread = new Map(saved.unread);
    this.requests = new Set(saved.requests);
    // A conversation the agent has seen in one tab is seen: the other
    // tabs drop its alerts too, or they would keep it marked new (and save
    // it so for the next page load) until opened there as well.
    this.#tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel(this.#key) : null;
    if (this.#tabs) {
      this.#tabs.onmessage = (e) => {
        const id = Number(e.data?.seen);
        if (!id || !this.needsAttention(id)) return;
        this.#forget(id);
        this.#changed();
      };
    }
    // Without a saved seq nothing is replayed; with one, the replay is what
    // happened while away, and that is news worth an alert.
    this.#alerting = saved.seq > 0;
    this.#socket = new LiveSocket(
      // Without a seq the socket starts at the log's end: the lists are
      // loaded over REST on "ready", so the history is not replayed.
      (after) => socketURL(`/api/v1/workspaces/${this.workspaceId}/ws`, after > 0 ? { after } : {}),
      {
        event: (e) => this.#apply(e),
        ready: () => this.#ready(),
        typing: (frame) => this.#emit('typing', frame),
        state: (state) => this.#emit('connection', state),
      },
      saved.seq ?? 0,
    );
  }

  // Managers and masters see every conversation; agents their own and the
  // queue (chat.Role.SeesAll). Only masters administer the team.
  #setRole(role) {
    this.role = role;
    this.seesAll = role === 'master' || role === 'manager';
    this.isMaster = role === 'master';
  }

  // activeMembers are the agents who may take conversations: deactivated
  // members stay in the list (the team page shows them) but not here.
  get activeMembers() {
    return [...this.members.values()].filter(isActive);
  }

  // settings are the workspace's conversation and routing rules.
  get settings() {
    return this.workspace?.settings ?? {};
  }

  // start connects the socket and loads everything at once, without
  // waiting for the socket (which reloads it whenever it is ready).
  start() {
    this.#socket.start();
    this.refresh();
  }

  stop() {
    this.#socket.stop();
    this.#tabs?.close();
    this.#save();
  }

  // flush saves now what the inbox remembers, for a page going away
  // before the delayed save.
  flush() {
    this.#save();
  }

  // request calls the API under this workspace's path.
  request(method, path, body, options) {
    return call(method, `/workspaces/${this.workspaceId}${path}`, body, options);
  }

  // upload sends a file to a path of this workspace (files.js upload).
  upload(path, options) {
    return uploadFile(`/workspaces/${this.workspaceId}${path}`, options);
  }

  sendTyping(conversationID, typing) {
    this.#socket.send({ type: 'typing', conversation_id: conversationID, typing });
  }

  // list returns a tab's conversations: the queue (unassigned) first in
  // first out, by when each entered it (queued_at: a chat the robot hands
  // over joins the end; one still with the robot has none and goes by its
  // start), the others newest activity first. "mine" is the agent's own
  // conversations plus the queue everyone may take.
  list(tab, scope, flag = 'all') {
    const states = TABS[tab];
    const keep = FLAGS[flag] ?? FLAGS.all;
    const convs = [...this.conversations.values()]
      .filter((c) => states.includes(c.state) && keep(c) &&
        (tab === 'mine' ? c.assignee_id === this.agentId : scope === 'all' || this.#isMine(c)));
    const queued = (c) => Date.parse(c.queued_at ?? c.created_at);
    if (tab === 'unassigned') return convs.sort((a, b) => queued(a) - queued(b) || a.id - b.id);
    return convs.sort((a, b) => activity(b) - activity(a));
  }

  // load fetches the first page of one state's conversations from the
  // server, with a flag filter when given; with more, the page after the
  // last one loaded. Without a scope the server returns all a role may see
  // (for an agent: their own and the queue); the mine/all switch filters
  // locally.
  async load(state, flag = 'all', more = false) {
    if (state === 'closed') this.#closedLoaded = true;
    const key = `${state} ${flag}`;
    const asked = this.#events;
    const query = new URLSearchParams({ state });
    if (flag !== 'all') query.set('flag', flag);
    if (more) {
      if (!this.#next.get(key)) return;
      query.set('cursor', this.#next.get(key));
    }
    const { items: fresh, next } = await this.request('GET', `/conversations?${query}`, undefined, { page: true });
    this.#next.set(key, next);
    const ids = new Set(fresh.map((c) => c.id));
    const keep = FLAGS[flag] ?? FLAGS.all;
    // A first page replaces what was loaded of that list before.
    for (const c of more ? [] : this.conversations.values()) {
      if (c.state === state && keep(c) && !ids.has(c.id) && !this.#movedSince(c.id, asked)) this.conversations.delete(c.id);
    }
    // Lists carry no tags: keep those a single load or an event brought.
    for (const c of fresh) if (!this.#movedSince(c.id, asked)) this.upsert(c.tags || !this.conversations.get(c.id)?.tags ? c : { ...c, tags: this.conversations.get(c.id).tags });
    this.#emit('change');
  }

  // hasMore reports whether a tab's list has pages not loaded yet.
  hasMore(tab, flag = 'all') {
    return TABS[tab].some((state) => Boolean(this.#next.get(`${state} ${flag}`)));
  }

  // loadMore loads the next page of each of a tab's states that has one.
  loadMore(tab, flag = 'all') {
    return Promise.all(TABS[tab].map((state) => this.load(state, flag, true)));
  }

  // #movedSince reports whether an event carried the conversation after
  // the moment `asked` (a count of events), so an answer asked for then
  // may be older than what is shown.
  #movedSince(id, asked) {
    return (this.#moved.get(id) ?? 0) > asked;
  }

  upsert(conversation) {
    this.conversations.set(conversation.id, conversation);
    this.#emit('conversation', conversation);
  }

  open(id) {
    this.openId = id;
    this.customer = null;
    this.total = 0;
    this.seen();
    this.#emit('open', id);
  }

  // reloadOpen fetches the open conversation, its customer and how many
  // conversations the customer has had.
  async reloadOpen() {
    const id = this.openId;
    if (!id) return;
    const asked = this.#events;
    const { conversation, customer, total_conversations: total } = await this.request('GET', `/conversations/${id}`);
    if (this.openId !== id) return;
    this.total = total ?? 0;
    this.setCustomer(customer);
    if (!this.#movedSince(id, asked)) this.upsert(conversation);
  }

  setCustomer(customer) {
    this.customer = customer;
    if (customer) this.#rename(customer);
    this.#emit('customer', customer);
  }

  // #rename gives the customer's conversations the name a saved profile
  // has (the nickname, else the name, as the server lists them), so the
  // list and the header follow at once rather than at the next reload.
  #rename(customer) {
    const name = customer.nickname || customer.name || '';
    let changed = false;
    for (const c of this.conversations.values()) {
      if (c.customer_id !== customer.id || (c.customer_name ?? '') === name) continue;
      this.conversations.set(c.id, { ...c, customer_name: name });
      changed = true;
    }
    if (changed) this.#emit('change');
  }

  // #renameFrom reads again a customer that an agent's console was told
  // changed without its profile ({id, profile_id}), through one of its
  // conversations in the lists, so that the lists show its new name. (The
  // open conversation's customer is read again with it: reloadOpen.)
  async #renameFrom(customerID) {
    const c = [...this.conversations.values()].find((x) => x.customer_id === customerID);
    if (!c) return;
    try {
      const { customer } = await this.request('GET', `/conversations/${c.id}`);
      if (customer) this.#rename(customer);
    } catch {
      // The next reload of the lists shows it.
    }
  }

  setWorkspace(workspace) {
    this.workspace = workspace;
    this.#emit('workspace', workspace);
  }

  async loadWorkspace() {
    this.setWorkspace(await this.request('GET', ''));
  }

  // loadMembers replaces the agents with the server's list, except those
  // an agent.status event carried after it was asked for: the list may
  // have been read before that change (a status set twice while it was on
  // its way showed the first).
  async loadMembers() {
    const asked = this.#events;
    const fresh = await this.request('GET', '/agents');
    const members = new Map(fresh.map((m) => [m.agent_id, m]));
    for (const [id, { at, member }] of this.#heard) {
      if (at > asked && members.has(id)) members.set(id, { ...members.get(id), ...member });
    }
    this.members = members;
    this.#emit('members');
  }

  // setMember keeps a member as a REST answer gave it (with active).
  setMember(member) {
    const m = { ...this.members.get(member.agent_id), ...member };
    this.members.set(member.agent_id, m);
    this.#emit('members');
    if (member.agent_id !== this.agentId) return;
    if (m.role && m.role !== this.role) this.#setRole(m.role);
    this.#emit('member', m);
    if (!isActive(m)) this.#emit('deactivated', m);
  }

  // loadTicketCount counts the open and pending tickets this agent has not
  // read (the side bar's badge), up to a page of 100.
  async loadTicketCount() {
    const { items, next } = await this.request('GET', '/tickets?status=open,pending&unread=true&limit=100', undefined, { page: true });
    this.ticketCount = items.length + (next ? 1 : 0);
    this.#emit('tickets');
  }

  // ticketsRead recounts soon, after the agent read a ticket.
  ticketsRead() {
    clearTimeout(this.#ticketTimer);
    this.#ticketTimer = setTimeout(() => this.loadTicketCount().catch(() => {}), 300);
  }

  // seen clears the open conversation's alerts once the agent can see it.
  seen() {
    if (!this.openId || document.visibilityState !== 'visible' || !this.needsAttention(this.openId)) return;
    this.#forget(this.openId);
    this.#tabs?.postMessage({ seen: this.openId });
    this.#changed();
  }

  needsAttention(id) {
    return this.requests.has(id) || this.unread.has(id);
  }

  // attention counts the conversations with something the agent has not
  // seen, and says whether any of them is a new request.
  attention() {
    const ids = new Set([...this.requests, ...this.unread.keys()]);
    return { count: ids.size, request: this.requests.size > 0 };
  }

  // canManage mirrors chat.canManage: the assigned agent, a manager or a
  // master may hold, flag, transfer and close a conversation.
  canManage(c) {
    return (c.assignee_id !== 0 && c.assignee_id === this.agentId) || this.seesAll;
  }

  // #agentsTake says whether agents take queued chats themselves (manual
  // and hybrid modes), so that a chat entering the queue asks every one of
  // them. In auto mode Sodam assigns it, at once or when capacity frees,
  // and only the agent it is assigned to is asked (conversation.assigned):
  // a colleague is not chimed for a chat that is never theirs to take.
  get #agentsTake() {
    return this.settings.assignment_mode !== 'auto';
  }

  #isMine(c) {
    return c.state === 'unassigned' || c.state === 'bot' || c.assignee_id === this.agentId;
  }

  // refresh reloads every list shown so far, the settings, the agents and
  // the open tickets; events keep them current in between.
  refresh() {
    const states = ['unassigned', 'waiting', 'active'];
    if (this.#closedLoaded) states.push('closed');
    return Promise.all([
      ...states.map((s) => this.load(s)),
      this.loadWorkspace(),
      this.loadMembers(),
      this.loadTicketCount(),
    ]).catch(() => {});
  }

  #ready() {
    this.#alerting = true;
    this.#save();
    this.refresh();
  }

  #apply(event) {
    const c = event.conversation;
    this.#events++;
    if (c) this.#moved.set(c.id, this.#events);
    switch (event.type) {
      case 'conversation.created':
        this.upsert(c);
        // The robot answers a bot conversation: nobody is asked yet.
        if (c.state !== 'bot' && this.#agentsTake) this.#alert(c, 'request');
        break;
      case 'conversation.assigned':
      case 'conversation.transferred':
        this.upsert(c);
        if (c.assignee_id !== this.agentId) this.#forget(c.id);
        // Given to this agent: a transfer, or Sodam's routing of a chat
        // they were not asked about yet (in auto mode, nobody is asked
        // while it queues). Their own take is of the open conversation,
        // which asks nothing (#alert).
        else if (event.type === 'conversation.transferred' || !this.requests.has(c.id)) this.#alert(c, 'request');
        break;
      case 'conversation.updated':
        // The open conversation's customer changed when an agent folded
        // its web identifier into another (§1.3): show that customer.
        if (c.id === this.openId && this.customer && c.customer_id !== this.customer.id) this.reloadOpen().catch(() => {});
        this.upsert(c);
        if (event.message?.body === 'customer_left' && c.assignee_id === this.agentId) this.#alert(c, 'message');
        if (event.message?.body === 'handover' && this.#agentsTake) this.#alert(c, 'request'); // the robot asks for a person
        // Back in the queue, its agent deactivated: the visitor waits for
        // whoever takes it now.
        if (event.message?.body === 'returned' && c.state === 'unassigned' && this.#agentsTake) this.#alert(c, 'request');
        break;
      case 'conversation.closed':
        this.upsert(c);
        this.#forget(c.id);
        break;
      case 'conversation.read':
        // A read receipt: the marks ride on the conversation.
        this.upsert(c);
        break;
      case 'message.created':
        this.#message(event.message, c);
        break;
      case 'message.updated': // masked or unmasked (§11): the preview too
        if (c) this.upsert(c);
        break;
      case 'agent.status':
        // Events mark a deactivated member inactive: true, and say nothing
        // of active members.
        if (event.member) {
          const { inactive, ...member } = event.member;
          this.#heard.set(member.agent_id, { at: this.#events, member: { ...member, active: !inactive } });
          this.setMember({ ...member, active: !inactive });
        }
        break;
      case 'ticket.created':
      case 'ticket.updated':
      case 'ticket.replied':
      case 'ticket.delivery':
        this.#emit('ticket-event', event);
        if (event.type !== 'ticket.delivery') this.ticketsRead();
        break;
      case 'workspace.updated':
        // An archive closes the workspace to its members (the socket ends
        // after this event): the console says so, as for a deactivation.
        if (event.archived) this.#emit('deactivated');
        else this.loadWorkspace().catch(() => {});
        break;
      case 'customer.updated': {
        // Only the open conversation's customer is kept. Another
        // identifier of the same customer ID shares the profile: reload.
        // An agent's console is told only which customer changed
        // ({id, profile_id}: the profile is for those who may see the
        // customer's conversations): it reloads the one it shows.
        const cu = event.customer;
        const whole = cu && 'name' in cu;
        if (whole) this.#rename(cu);
        else if (cu && cu.id !== this.customer?.id) this.#renameFrom(cu.id);
        if (cu) this.#emit('customer-event', cu); // the history page's panel
        if (!cu || !this.customer) break;
        if (whole && cu.id === this.customer.id) this.setCustomer(cu);
        else if (cu.id === this.customer.id || cu.profile_id === this.customer.profile_id) this.reloadOpen().catch(() => {});
        break;
      }
    }
    // Conversation events carry their system message (assigned, held, …).
    if (event.type !== 'message.created' && event.message) this.#emit('message', event.message);
    this.#changed();
  }

  #message(msg, conversation) {
    this.#emit('message', msg);
    if (!conversation) {
      this.#fetch(msg.conversation_id, msg.sender_type === 'visitor');
      return;
    }
    this.upsert(conversation);
    // The visitor writes to whoever is asked: nobody while the robot
    // answers, nor in the queue of an auto-mode workspace (the agent Sodam
    // gives the chat to is asked then, #agentsTake).
    if (msg.sender_type === 'visitor') {
      if (conversation.state !== 'bot' && (conversation.state !== 'unassigned' || this.#agentsTake)) this.#alert(conversation, 'message', msg);
    }
    // A colleague's note that mentions this agent (notes reach them for it).
    else if (msg.internal && msg.sender_id !== this.agentId && msg.mentions?.includes(this.agentId)) this.#alert(conversation, 'mention', msg);
  }

  // #fetch loads a conversation a message event did not carry.
  async #fetch(id, alert) {
    const asked = this.#events;
    try {
      const { conversation } = await this.request('GET', `/conversations/${id}`);
      if (!this.#movedSince(id, asked)) this.upsert(conversation);
      if (alert) this.#alert(conversation, 'message');
      this.#changed();
    } catch {
      // The next "ready" reloads the lists anyway.
    }
  }

  // #alert records something new in a conversation the agent is
  // responsible for, unless they are looking at it right now.
  #alert(c, kind, message = null) {
    if (!this.#alerting || !(this.#isMine(c) || kind === 'mention')) return;
    if (c.id === this.openId && document.visibilityState === 'visible') {
      if (kind === 'message' && !document.hasFocus()) this.#emit('alert', { conversation: c, kind, message });
      this.#tabs?.postMessage({ seen: c.id }); // read here, as it comes
      return;
    }
    if (kind === 'request') this.requests.add(c.id);
    else this.unread.set(c.id, (this.unread.get(c.id) ?? 0) + 1);
    this.#emit('alert', { conversation: c, kind, message });
  }

  #forget(id) {
    this.requests.delete(id);
    this.unread.delete(id);
  }

  #changed() {
    this.#emit('change');
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => this.#save(), 500);
  }

  // #save keeps the seq reached and the unseen counts across page loads,
  // so a reload replays only what it missed and forgets no alert.
  #save() {
    clearTimeout(this.#saveTimer);
    storage.set(this.#key, JSON.stringify({
      seq: this.#socket.seq,
      unread: [...this.unread],
      requests: [...this.requests],
    }));
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function readJSON(text) {
  try {
    return JSON.parse(text) ?? {};
  } catch {
    return {};
  }
}
