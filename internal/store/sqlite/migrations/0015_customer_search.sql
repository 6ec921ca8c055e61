-- The history's customer filter by index (issue 13): every profile's name,
-- nickname, email and phone digits (history.CustomerFields) as the same
-- grams as messages, a column per field, so a phrase never spans two
-- fields. The rowid is the profile's ID. The profiles already stored are
-- indexed by this migration's Go step (sqldb.backfillCustomerIndex), in
-- its transaction.
CREATE VIRTUAL TABLE customer_fts USING fts5(name, nickname, email, phone, content='', contentless_delete=1, tokenize='ascii');
