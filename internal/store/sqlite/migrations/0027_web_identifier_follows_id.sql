-- On the web an identifier is SITEID_customerID (§1.3): when an agent
-- changes a web identifier's customer ID to one another web identifier
-- has, the two become one, and the widget sessions of the one folded in
-- move to the other.
--
-- A session remembers whether a signed site_uid opened it: a page without
-- one never resumes a session a login opened, while an anonymous visitor
-- whose identifier was folded into a member's resumes the member's (the
-- agent said they are one customer). Sessions made so far were opened by
-- a login exactly when their identifier is verified.
ALTER TABLE visitor_sessions ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;
UPDATE visitor_sessions SET signed = (SELECT verified FROM customers WHERE customers.id = visitor_sessions.customer_id);
-- A fold moves the folded identifier's sessions by this index.
CREATE INDEX visitor_sessions_customer ON visitor_sessions (customer_id);
-- Counts the changes that moved sessions: every node re-reads the sessions
-- it cached when it sees the count change (httpapi's visitorCache).
ALTER TABLE workspaces ADD COLUMN session_moves INTEGER NOT NULL DEFAULT 0;
