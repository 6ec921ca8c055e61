package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

const customerSelect = `SELECT cu.id, cu.workspace_id, cu.external_id, w.site_id, cu.verified, cu.language, cu.ip, cu.device, cu.created_at,
	cu.blocked_at, cu.block_reason, cu.block_note, cu.consent_at, cu.consent_version,
	p.id, p.customer_key, p.name, p.nickname, p.phone, p.verified_phone, p.email, p.birth_date, p.address, p.note, p.extra,
	(SELECT COUNT(*) FROM customers o WHERE o.profile_id = p.id), w.settings
	FROM customers cu JOIN profiles p ON p.id = cu.profile_id JOIN workspaces w ON w.id = cu.workspace_id`

// scanCustomer reads a customerSelect row; the age is reckoned on now's
// date in the workspace's time zone.
func scanCustomer(row interface{ Scan(...any) error }, now time.Time) (*chat.Customer, error) {
	var c chat.Customer
	var extra, siteID, settings string
	var created int64
	var blocked, consent sql.NullInt64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.ExternalID, &siteID, &c.Verified, &c.Language, &c.IP, &c.Device, &created,
		&blocked, &c.BlockReason, &c.BlockNote, &consent, &c.ConsentVersion,
		&c.Profile.ID, &c.CustomerID, &c.Name, &c.Nickname, &c.Phone, &c.VerifiedPhone, &c.Email, &c.BirthDate, &c.Address, &c.Note, &extra,
		&c.Identifiers, &settings)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "no such customer")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(extra), &c.Extra); err != nil {
		return nil, err
	}
	c.Identifier = chat.Identifier(siteID, c.ExternalID)
	c.CreatedAt, c.BlockedAt, c.ConsentAt = fromMicros(created), optTime(blocked), optTime(consent)
	var zone struct {
		Hours struct {
			TimeZone string `json:"time_zone"`
		} `json:"business_hours"`
	}
	if err := json.Unmarshal([]byte(settings), &zone); err != nil {
		return nil, err
	}
	if age, ok := chat.Age(c.BirthDate, now.In(zoneOf(chat.Settings{Hours: chat.BusinessHours{TimeZone: zone.Hours.TimeZone}}))); ok {
		c.Age = &age
	}
	return &c, nil
}

// customer reads one identifier with its profile and tags; where names
// columns of cu (the identifier) or p (the profile). It locks nothing:
// writers lock the profile with lockProfile first.
func (db *DB) customer(ctx context.Context, x q, workspaceID int64, where string, args ...any) (*chat.Customer, error) {
	c, err := scanCustomer(x.row(ctx, customerSelect+` WHERE cu.workspace_id = ? AND `+where, append([]any{workspaceID}, args...)...), db.Now())
	if err != nil {
		return nil, err
	}
	c.Tags, err = db.tagsOf(ctx, x, `customer_tags`, `customer_id`, c.ID)
	return c, err
}

// Customer returns a workspace's customer by row ID.
func (db *DB) Customer(ctx context.Context, workspaceID, id int64) (*chat.Customer, error) {
	return db.customer(ctx, db.read(), workspaceID, `cu.id = ?`, id)
}

// UpsertCustomer finds or creates the identifier c.ExternalID — linked to
// the customer ID of the same name, created if need be — and merges c's
// non-empty profile fields into its profile.
func (db *DB) UpsertCustomer(ctx context.Context, c *chat.Customer) error {
	return db.upsertCustomer(ctx, c, false)
}

// upsertCustomer is UpsertCustomer; with onlyEmpty, c's name, phone and
// email fill only the profile's empty ones.
func (db *DB) upsertCustomer(ctx context.Context, c *chat.Customer, onlyEmpty bool) error {
	return db.tx(ctx, func(x q) error { return db.upsertCustomerIn(ctx, x, c, onlyEmpty) })
}

// upsertCustomerIn is upsertCustomer in the caller's transaction.
func (db *DB) upsertCustomerIn(ctx context.Context, x q, c *chat.Customer, onlyEmpty bool) error {
	var id int64
	err := x.row(ctx, `SELECT id FROM customers WHERE workspace_id = ? AND external_id = ?`, c.WorkspaceID, c.ExternalID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		p, perr := db.profileFor(ctx, x, c.WorkspaceID, c.ExternalID)
		if perr != nil {
			return perr
		}
		if _, err := x.exec(ctx, `INSERT INTO customers (workspace_id, external_id, verified, profile_id, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, external_id) DO NOTHING`, c.WorkspaceID, c.ExternalID, c.Verified, p, micros(db.Now())); err != nil {
			return err
		}
		err = x.row(ctx, `SELECT id FROM customers WHERE workspace_id = ? AND external_id = ?`, c.WorkspaceID, c.ExternalID).Scan(&id)
	}
	if err != nil {
		return err
	}
	// Read under the profile's lock, as agents' edits do, so a
	// concurrent Save is not written over with the old fields.
	cur, err := db.lockProfile(ctx, x, c.WorkspaceID, id)
	if err != nil {
		return err
	}
	merge := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	fill := merge
	if onlyEmpty {
		fill = func(dst *string, src string) {
			if *dst == "" {
				*dst = src
			}
		}
	}
	fill(&cur.Name, c.Name)
	fill(&cur.Email, c.Email)
	fill(&cur.Phone, c.Phone)
	merge(&cur.VerifiedPhone, c.VerifiedPhone) // only ever from a verification: the latest holds
	merge(&cur.Language, c.Language)
	merge(&cur.IP, c.IP)
	merge(&cur.Device, c.Device)
	cur.Verified = cur.Verified || c.Verified
	cur.Extra = chat.MergeExtra(cur.Extra, c.Extra)
	if err := db.saveProfile(ctx, x, cur.Profile); err != nil {
		return err
	}
	if _, err := x.exec(ctx, `UPDATE customers SET verified = ?, language = ?, ip = ?, device = ? WHERE id = ?`,
		cur.Verified, cur.Language, cur.IP, cur.Device, cur.ID); err != nil {
		return err
	}
	cur, err = db.customer(ctx, x, c.WorkspaceID, `cu.id = ?`, cur.ID)
	if err == nil {
		*c = *cur
	}
	return err
}

// profileFor returns the ID of the profile with customer ID key, creating it.
func (db *DB) profileFor(ctx context.Context, x q, workspaceID int64, key string) (int64, error) {
	now := micros(db.Now())
	if _, err := x.exec(ctx, `INSERT INTO profiles (workspace_id, customer_key, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, customer_key) DO NOTHING`, workspaceID, key, now, now); err != nil {
		return 0, err
	}
	var id int64
	err := x.row(ctx, `SELECT id FROM profiles WHERE workspace_id = ? AND customer_key = ?`, workspaceID, key).Scan(&id)
	return id, err
}

// saveProfile writes every field of p but the customer ID.
func (db *DB) saveProfile(ctx context.Context, x q, p chat.Profile) error {
	extra, err := json.Marshal(p.Extra)
	if err != nil {
		return err
	}
	_, err = x.exec(ctx, `UPDATE profiles SET name = ?, nickname = ?, phone = ?, verified_phone = ?, email = ?, birth_date = ?,
		address = ?, note = ?, extra = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Nickname, p.Phone, p.VerifiedPhone, p.Email, p.BirthDate, p.Address, p.Note, string(extra), micros(db.Now()), p.ID)
	if err != nil {
		return err
	}
	return indexProfiles(ctx, x, []int64{p.ID})
}

// CreateVisitorSession stores a widget session.
func (db *DB) CreateVisitorSession(ctx context.Context, s chat.VisitorSession) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `INSERT INTO visitor_sessions (token_hash, workspace_id, customer_id, signed, created_at) VALUES (?, ?, ?, ?, ?)`,
			s.TokenHash, s.WorkspaceID, s.CustomerID, s.Signed, micros(db.Now()))
		return err
	})
}

// VisitorSession returns the widget session with the given token hash.
func (db *DB) VisitorSession(ctx context.Context, tokenHash string) (*chat.VisitorSession, error) {
	s := chat.VisitorSession{TokenHash: tokenHash}
	err := db.read().row(ctx, `SELECT workspace_id, customer_id, signed FROM visitor_sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.WorkspaceID, &s.CustomerID, &s.Signed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrUnauthorized, "unknown visitor token")
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// VisitorSessionWorkspace is VisitorSession and the session's workspace,
// read together in one query: every widget request needs both, and on
// PostgreSQL each read is a round trip.
func (db *DB) VisitorSessionWorkspace(ctx context.Context, tokenHash string) (*chat.VisitorSession, *chat.Workspace, error) {
	s := chat.VisitorSession{TokenHash: tokenHash}
	ws, err := db.visitorRead(ctx, visitorSessionWorkspaceQuery, []any{&s.WorkspaceID, &s.CustomerID}, tokenHash)
	if err != nil {
		return nil, nil, err
	}
	return &s, ws, nil
}

// The visitor's reads, built once: every visitor request makes one.
var (
	visitorSessionWorkspaceQuery = `SELECT s.workspace_id, s.customer_id, ` + workspaceColumnsOf("w") + `
		FROM visitor_sessions s JOIN workspaces w ON w.id = s.workspace_id WHERE s.token_hash = ?`
	visitorSessionConversationQuery = `SELECT s.workspace_id, s.customer_id, COALESCE(c.state, ''), ` + workspaceColumnsOf("w") + `
		FROM visitor_sessions s JOIN workspaces w ON w.id = s.workspace_id
		LEFT JOIN conversations c ON c.id = ? AND c.workspace_id = s.workspace_id AND c.customer_id = s.customer_id
		WHERE s.token_hash = ?`
)

// VisitorSessionConversation is VisitorSessionWorkspace and the state of
// the customer's conversation conversationID ("" when it is not theirs).
func (db *DB) VisitorSessionConversation(ctx context.Context, tokenHash string, conversationID int64) (*chat.VisitorSession, *chat.Workspace, chat.State, error) {
	s := chat.VisitorSession{TokenHash: tokenHash}
	var state chat.State
	ws, err := db.visitorRead(ctx, visitorSessionConversationQuery, []any{&s.WorkspaceID, &s.CustomerID, &state}, conversationID, tokenHash)
	if err != nil {
		return nil, nil, "", err
	}
	return &s, ws, state, nil
}

// CustomerConversationState is the state of the customer's conversation
// conversationID ("" when it is not theirs): the handshake's read once the
// node has the session and workspace cached, one primary-key lookup.
func (db *DB) CustomerConversationState(ctx context.Context, workspaceID, customerID, conversationID int64) (chat.State, error) {
	var state chat.State
	err := db.read().row(ctx, customerConversationStateQuery, conversationID, workspaceID, customerID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return state, err
}

const customerConversationStateQuery = `SELECT state FROM conversations WHERE id = ? AND workspace_id = ? AND customer_id = ?`

// visitorRead runs one of the visitor's reads: prefix takes the columns
// before the workspace's, and an unknown token is unauthorized.
func (db *DB) visitorRead(ctx context.Context, query string, prefix []any, args ...any) (*chat.Workspace, error) {
	row := &prefixRow{row: db.read().row(ctx, query, args...), prefix: prefix}
	ws, err := db.scanWorkspace(row)
	if errors.Is(row.err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrUnauthorized, "unknown visitor token")
	}
	return ws, err
}

// prefixRow scans its prefix columns, then the ones its caller asks for.
type prefixRow struct {
	row    *sql.Row
	prefix []any
	err    error
}

func (r *prefixRow) Scan(dest ...any) error {
	r.err = r.row.Scan(append(r.prefix[:len(r.prefix):len(r.prefix)], dest...)...)
	return r.err
}

// BlockCustomer blocks a customer and closes their open conversations, each
// with a system message (§5.5).
func (db *DB) BlockCustomer(ctx context.Context, workspaceID, customerID int64, reason, note string, by chat.Who) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckBlockReason(reason, note); err != nil {
		return nil, nil, err
	}
	var cu *chat.Customer
	events, err := db.write(ctx, func(t *txn) error {
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		if cu, err = db.customer(ctx, t.q, workspaceID, `cu.id = ?`, customerID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE customers SET blocked_at = ?, block_reason = ?, block_note = ? WHERE id = ?`,
			micros(t.now), reason, note, customerID); err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT id FROM conversations WHERE customer_id = ? AND state <> 'closed' ORDER BY id`, customerID)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := db.lockConversation(ctx, t.q, workspaceID, id)
			if err != nil {
				return err
			}
			if err := db.close(ctx, t, c, chat.CloseByBlock); err != nil {
				return err
			}
		}
		if err := db.route(ctx, t, ws); err != nil {
			return err
		}
		if cu, err = db.customer(ctx, t.q, workspaceID, `cu.id = ?`, customerID); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditBlock, cu.Identifier, nil, map[string]string{"reason": reason, "note": note}))
	})
	return cu, events, err
}

// UnblockCustomer lets a blocked customer chat again. One not blocked
// (never, or unblocked already) is answered unchanged, and no unblock is
// written in the audit log: none happened.
func (db *DB) UnblockCustomer(ctx context.Context, workspaceID, customerID int64, by chat.Who) (*chat.Customer, error) {
	var cu *chat.Customer
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		res, err := x.exec(ctx, `UPDATE customers SET blocked_at = NULL, block_reason = '', block_note = ''
			WHERE workspace_id = ? AND id = ? AND blocked_at IS NOT NULL`, workspaceID, customerID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if cu, err = db.customer(ctx, x, workspaceID, `cu.id = ?`, customerID); err != nil {
			return err
		}
		if n == 0 {
			return nil // not blocked: nothing to unblock, nothing to log
		}
		return x.audit(ctx, t.entry(workspaceID, by, chat.AuditUnblock, cu.Identifier, nil, nil))
	})
	return cu, err
}

// BlockedCustomers lists the workspace's blocked customers, latest first.
func (db *DB) BlockedCustomers(ctx context.Context, workspaceID int64, p chat.Page) ([]chat.Customer, error) {
	query, args := customerSelect+` WHERE cu.workspace_id = ? AND cu.blocked_at IS NOT NULL`, []any{workspaceID}
	if !p.After.IsZero() {
		query += ` AND (cu.blocked_at < ? OR (cu.blocked_at = ? AND cu.id < ?))`
		args = append(args, p.After.Key, p.After.Key, p.After.ID)
	}
	rows, err := db.read().query(ctx, query+` ORDER BY cu.blocked_at DESC, cu.id DESC LIMIT ?`, append(args, pageLimit(p.Limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Customer
	for rows.Next() {
		c, err := scanCustomer(rows, db.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// lockProfile takes the row lock of identifier customerID's profile and
// reads the customer, so concurrent edits of one profile (and merges into
// it) are decided one after another.
//
// A merge on another node may move the customer to another profile, and
// delete the one it had, while this waits for the lock (PostgreSQL): the
// lock then finds no row, or the customer linked elsewhere. It follows the
// customer to its profile as committed, a few times; past that (merges
// chasing each other) the caller hears to try again.
func (db *DB) lockProfile(ctx context.Context, x q, workspaceID, customerID int64) (*chat.Customer, error) {
	profileOf := func() (int64, error) {
		var pid int64
		err := x.row(ctx, `SELECT profile_id FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, customerID).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, chat.Errorf(chat.ErrNotFound, "no such customer")
		}
		return pid, err
	}
	pid, err := profileOf()
	if err != nil {
		return nil, err
	}
	for range lockProfileTries {
		var locked int64
		err := x.row(ctx, `SELECT id FROM profiles WHERE id = ?`+x.forUpdate(), pid).Scan(&locked)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		now, err2 := profileOf()
		if err2 != nil {
			return nil, err2
		}
		if err == nil && now == pid {
			return db.customer(ctx, x, workspaceID, `cu.id = ?`, customerID)
		}
		pid = now // merged meanwhile: lock the profile it has now
	}
	return nil, chat.Errorf(chat.ErrConflict, "the customer's profile was merged with another while this change waited; try again")
}

// lockProfileTries is how many profiles lockProfile follows a customer to.
const lockProfileTries = 5

// changeCustomer runs apply on a locked customer and emits customer.updated
// (customerUpdated) with the customer as it then is.
func (db *DB) changeCustomer(ctx context.Context, workspaceID, customerID int64, profile bool, apply func(*txn, *chat.Customer) error) (*chat.Customer, []chat.Event, error) {
	var after *chat.Customer
	events, err := db.write(ctx, func(t *txn) error {
		cu, err := db.lockProfile(ctx, t.q, workspaceID, customerID)
		if err != nil {
			return err
		}
		if err := apply(t, cu); err != nil {
			return err
		}
		if after, err = db.customer(ctx, t.q, workspaceID, `cu.id = ?`, customerID); err != nil {
			return err
		}
		return db.customerUpdated(ctx, t, after, profile)
	})
	return after, events, err
}

// customerUpdated emits customer.updated with after. When the profile
// changed, which every identifier of the customer ID shares, each of the
// other identifiers gets its customer.updated too, so whatever shows them
// (a list's names) follows.
func (db *DB) customerUpdated(ctx context.Context, t *txn, after *chat.Customer, profile bool) error {
	workspaceID := after.WorkspaceID
	t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventCustomerUpdated, Customer: after})
	if !profile || after.Identifiers < 2 {
		return nil
	}
	rows, err := t.query(ctx, `SELECT id FROM customers WHERE workspace_id = ? AND profile_id = ? AND id <> ? ORDER BY id`, workspaceID, after.Profile.ID, after.ID)
	if err != nil {
		return err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		other, err := db.customer(ctx, t.q, workspaceID, `cu.id = ?`, id)
		if err != nil {
			return err
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventCustomerUpdated, Customer: other})
	}
	return nil
}

// UpdateProfile applies an agent's edit to the profile of identifier
// customerID.
func (db *DB) UpdateProfile(ctx context.Context, workspaceID, customerID int64, p chat.ProfilePatch) (*chat.Customer, []chat.Event, error) {
	return db.changeCustomer(ctx, workspaceID, customerID, true, func(t *txn, cu *chat.Customer) error {
		// A birth date may be as late as today in the workspace's zone.
		ws, err := db.workspaceIn(ctx, t.q, workspaceID)
		if err != nil {
			return err
		}
		if err := p.Apply(&cu.Profile, t.now.In(zoneOf(ws.Settings))); err != nil {
			return err
		}
		return db.saveProfile(ctx, t.q, cu.Profile)
	})
}

// ChangeCustomerID gives the profile of identifier customerID the customer
// ID newID. When another profile has it already, the two merge — profile
// and history — but only when confirm is set, and never beyond
// chat.MaxIdentifiers identifiers. On the web the identifier follows
// (§1.3): the customer ID's web identifiers become one named newID, as
// chat.PlanWebRename decides; messenger identifiers keep their names.
func (db *DB) ChangeCustomerID(ctx context.Context, workspaceID, customerID int64, newID string, confirm bool, by chat.Who) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckCustomerID(newID); err != nil {
		return nil, nil, err
	}
	var after *chat.Customer
	events, err := db.write(ctx, func(t *txn) error {
		// The routing lock first: a fold moves open conversations between
		// identifiers, and a start decides under it whether its
		// identifier has one open.
		ws, err := db.lockRouting(ctx, t, workspaceID)
		if err != nil {
			return err
		}
		cu, err := db.lockProfile(ctx, t.q, workspaceID, customerID)
		if err != nil {
			return err
		}
		into := cu.Profile.ID // the profile that has newID afterwards
		if cu.CustomerID != newID {
			err := t.row(ctx, `SELECT id FROM profiles WHERE workspace_id = ? AND customer_key = ?`+t.forUpdate(), workspaceID, newID).Scan(&into)
			if errors.Is(err, sql.ErrNoRows) {
				into = cu.Profile.ID
			} else if err != nil {
				return err
			}
		}
		presences, err := db.presences(ctx, t.q, workspaceID, `cu.profile_id IN (?, ?)`, cu.Profile.ID, into)
		if err != nil {
			return err
		}
		named, err := db.presences(ctx, t.q, workspaceID, `cu.external_id = ?`, newID)
		if err != nil {
			return err
		}
		var plan chat.WebRename
		if len(named) == 0 {
			plan, err = chat.PlanWebRename(ws.SiteID, newID, presences, cu.ID, nil)
		} else {
			plan, err = chat.PlanWebRename(ws.SiteID, newID, presences, cu.ID, &named[0])
		}
		if err != nil {
			return err
		}
		before := customerIDAudit{CustomerID: cu.CustomerID, Identifier: cu.Identifier}
		var change customerIDAudit
		if into != cu.Profile.ID {
			target, err := db.customer(ctx, t.q, workspaceID, `cu.profile_id = ? ORDER BY cu.id LIMIT 1`, into)
			if err != nil {
				return err
			}
			if !confirm {
				return chat.Errorf(chat.ErrMergeRequired, "customer ID %s belongs to another customer (%s); confirm to merge their profiles and history",
					newID, target.Identifier)
			}
			change.MergedInto = target.Identifier
			if err := db.mergeProfile(ctx, t, workspaceID, cu.Profile, into); err != nil {
				return err
			}
		} else if cu.CustomerID != newID {
			if _, err := t.exec(ctx, `UPDATE profiles SET customer_key = ?, updated_at = ? WHERE id = ?`, newID, micros(t.now), cu.Profile.ID); err != nil {
				return err
			}
		}
		if err := db.renameWeb(ctx, t, workspaceID, newID, plan); err != nil {
			return err
		}
		// The customer as it now is: the one it was folded into, if it was.
		id := cu.ID
		if slices.Contains(plan.Fold, id) {
			id = plan.Keep
		}
		if after, err = db.customer(ctx, t.q, workspaceID, `cu.id = ?`, id); err != nil {
			return err
		}
		if err := db.customerUpdated(ctx, t, after, true); err != nil {
			return err
		}
		// Audited when something changed: setting the current ID again
		// changes nothing.
		merged := change.MergedInto != "" || len(plan.Fold) > 0
		if !merged && cu.CustomerID == newID && !plan.Rename {
			return nil
		}
		action := chat.AuditCustomerID
		if merged {
			action = chat.AuditCustomerMerge
		}
		for _, p := range slices.Concat(presences, named) {
			if slices.Contains(plan.Fold, p.ID) && !slices.Contains(change.Folded, chat.Identifier(ws.SiteID, p.ExternalID)) {
				change.Folded = append(change.Folded, chat.Identifier(ws.SiteID, p.ExternalID))
			}
		}
		if len(change.Folded) > 0 {
			change.FoldedInto = chat.Identifier(ws.SiteID, newID)
		}
		change.CustomerID, change.Identifier = after.CustomerID, after.Identifier
		return t.audit(ctx, t.entry(workspaceID, by, action, cu.Identifier, before, change))
	})
	return after, events, err
}

// customerIDAudit is what the audit log keeps of a change of customer ID:
// before, the edited identifier and its customer ID; after, the customer
// as the change left it (the identifier it was folded into, if it was)
// and what merged.
type customerIDAudit struct {
	CustomerID string `json:"customer_id"`
	Identifier string `json:"identifier"`
	// MergedInto is the identifier of the customer that had the customer
	// ID already, whose profile the edited one's was merged into.
	MergedInto string `json:"merged_into,omitempty"`
	// Folded are the web identifiers folded into FoldedInto (§1.3): their
	// conversations, widget sessions, tickets and tags are its now.
	Folded     []string `json:"folded,omitempty"`
	FoldedInto string   `json:"folded_into,omitempty"`
}

// mergeProfile merges profile from into profile into, which keeps what it
// has and takes what it lacks (chat.MergeProfiles), links from's
// identifiers to it and deletes from. History needs no rewriting: it is
// read through the profile.
func (db *DB) mergeProfile(ctx context.Context, t *txn, workspaceID int64, from chat.Profile, into int64) error {
	target, err := db.customer(ctx, t.q, workspaceID, `cu.profile_id = ? ORDER BY cu.id LIMIT 1`, into)
	if err != nil {
		return err
	}
	if err := db.saveProfile(ctx, t.q, chat.MergeProfiles(target.Profile, from)); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE customers SET profile_id = ? WHERE profile_id = ?`, into, from.ID); err != nil {
		return err
	}
	if err := unindexProfile(ctx, t.q, from.ID); err != nil {
		return err
	}
	_, err = t.exec(ctx, `DELETE FROM profiles WHERE id = ?`, from.ID)
	return err
}

// presences reads the workspace's identifiers that where selects (over cu,
// the customers row, and p, its profile), oldest first, as a change of
// customer ID sees them; inside a write it locks their rows, so no widget
// session or conversation is added to one being folded.
func (db *DB) presences(ctx context.Context, x q, workspaceID int64, where string, args ...any) ([]chat.Presence, error) {
	lock := ""
	if x.forUpdate() != "" {
		lock = x.forUpdate() + " OF cu"
	}
	rows, err := x.query(ctx, `SELECT cu.id, cu.external_id, p.customer_key,
		EXISTS (SELECT 1 FROM channel_users u WHERE u.customer_id = cu.id), cu.blocked_at IS NOT NULL,
		COALESCE((SELECT MAX(c.room_no) FROM conversations c WHERE c.customer_id = cu.id AND c.state <> 'closed' AND c.customer_left_at IS NULL), 0)
		FROM customers cu JOIN profiles p ON p.id = cu.profile_id
		WHERE cu.workspace_id = ? AND `+where+` ORDER BY cu.id`+lock, append([]any{workspaceID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Presence
	for rows.Next() {
		var p chat.Presence
		if err := rows.Scan(&p.ID, &p.ExternalID, &p.CustomerID, &p.Messenger, &p.Blocked, &p.OpenRoom); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// renameWeb carries out plan for customer ID newID: the folded web
// identifiers' conversations, widget sessions, tickets and tags move to
// the kept one, which takes what it lacks of them (chat.FoldPresence),
// and they are deleted; then the kept one is named newID. Moving sessions
// counts in the workspace's session_moves, so every node re-reads the
// sessions it cached. The open conversations that now show another
// identifier are told (conversation.updated), so consoles follow.
func (db *DB) renameWeb(ctx context.Context, t *txn, workspaceID int64, newID string, plan chat.WebRename) error {
	if !plan.Changes() {
		return nil
	}
	keep, err := db.customer(ctx, t.q, workspaceID, `cu.id = ?`, plan.Keep)
	if err != nil {
		return err
	}
	merged := *keep
	for _, id := range plan.Fold {
		from, err := db.customer(ctx, t.q, workspaceID, `cu.id = ?`, id)
		if err != nil {
			return err
		}
		merged = chat.FoldPresence(merged, *from)
		for _, table := range []string{`conversations`, `visitor_sessions`, `tickets`} {
			if _, err := t.exec(ctx, `UPDATE `+table+` SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?`, keep.ID, workspaceID, id); err != nil {
				return err
			}
		}
		// The kept identifier's tags stay; the folded one's join them, up
		// to the most one identifier may have.
		var n int
		if err := t.row(ctx, `SELECT COUNT(*) FROM customer_tags WHERE customer_id = ?`, keep.ID).Scan(&n); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO customer_tags (customer_id, tag_id) SELECT ?, tag_id FROM customer_tags
			WHERE customer_id = ? AND tag_id NOT IN (SELECT tag_id FROM customer_tags WHERE customer_id = ?) ORDER BY tag_id LIMIT ?`,
			keep.ID, id, keep.ID, max(chat.MaxTagsPerSubject-n, 0)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM customer_tags WHERE customer_id = ?`, id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM customers WHERE id = ?`, id); err != nil {
			return err
		}
	}
	if _, err := t.exec(ctx, `UPDATE customers SET external_id = ?, verified = ?, language = ?, ip = ?, device = ?, created_at = ?,
		consent_at = ?, consent_version = ? WHERE id = ?`,
		newID, merged.Verified, merged.Language, merged.IP, merged.Device, micros(merged.CreatedAt),
		optMicros(merged.ConsentAt), merged.ConsentVersion, keep.ID); err != nil {
		return err
	}
	if len(plan.Fold) > 0 {
		if _, err := t.exec(ctx, `UPDATE workspaces SET session_moves = session_moves + 1 WHERE id = ?`, workspaceID); err != nil {
			return err
		}
	}
	rows, err := t.query(ctx, `SELECT id FROM conversations WHERE workspace_id = ? AND customer_id = ? AND state <> 'closed' ORDER BY id`, workspaceID, keep.ID)
	if err != nil {
		return err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := db.conversation(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventConversationUpdated, Conversation: &c, PrevAssigneeID: c.AssigneeID, PrevState: c.State})
	}
	return nil
}

// SetCustomerTags replaces identifier customerID's customer tags.
func (db *DB) SetCustomerTags(ctx context.Context, workspaceID, customerID int64, tagIDs []int64) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckTagIDs(tagIDs); err != nil {
		return nil, nil, err
	}
	return db.changeCustomer(ctx, workspaceID, customerID, false, func(t *txn, cu *chat.Customer) error {
		return db.setTags(ctx, t.q, workspaceID, chat.TagCustomer, `customer_tags`, `customer_id`, cu.ID, tagIDs)
	})
}

// CustomerConversations lists every conversation of the customer ID that
// identifier customerID belongs to, newest first, with their tags.
func (db *DB) CustomerConversations(ctx context.Context, workspaceID, customerID int64, p chat.Page) ([]chat.Conversation, error) {
	x := db.read()
	ofProfile := ` WHERE c.workspace_id = ? AND cu.profile_id = (SELECT profile_id FROM customers WHERE workspace_id = ? AND id = ?)`
	args := []any{workspaceID, workspaceID, customerID}
	if !p.After.IsZero() {
		ofProfile += ` AND c.id < ?`
		args = append(args, p.After.ID)
	}
	rows, err := x.query(ctx, conversationSelect+ofProfile+` ORDER BY c.id DESC LIMIT ?`, append(args, pageLimit(p.Limit))...)
	if err != nil {
		return nil, err
	}
	out, err := scanConversations(rows)
	if err != nil || len(out) == 0 {
		return out, err
	}
	// The page's tags in one query, not one query each.
	ids := make([]any, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	rows, err = x.query(ctx, `SELECT l.conversation_id, t.id, t.kind, t.name FROM conversation_tags l JOIN tags t ON t.id = l.tag_id
		WHERE l.conversation_id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`) ORDER BY t.name, t.id`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := map[int64][]chat.Tag{}
	for rows.Next() {
		var id int64
		var tg chat.Tag
		if err := rows.Scan(&id, &tg.ID, &tg.Kind, &tg.Name); err != nil {
			return nil, err
		}
		tags[id] = append(tags[id], tg)
	}
	for i := range out {
		out[i].Tags = tags[out[i].ID]
		if out[i].Tags == nil {
			out[i].Tags = []chat.Tag{}
		}
	}
	return out, rows.Err()
}

// CountCustomerConversations counts the conversations of identifier
// customerID's customer ID, all identifiers.
func (db *DB) CountCustomerConversations(ctx context.Context, workspaceID, customerID int64) (int, error) {
	var n int
	err := db.read().row(ctx, `SELECT COUNT(*) FROM conversations c JOIN customers cu ON cu.id = c.customer_id
		WHERE c.workspace_id = ? AND cu.profile_id = (SELECT profile_id FROM customers WHERE workspace_id = ? AND id = ?)`,
		workspaceID, workspaceID, customerID).Scan(&n)
	return n, err
}
