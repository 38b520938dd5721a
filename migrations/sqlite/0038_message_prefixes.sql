-- Prefix indexes for the words of messages: the search takes the last
-- word typed as a prefix, and without an index of prefixes FTS5 merges the
-- lists of every word a prefix begins at each search (a prefix of a common
-- stem, "kata" or "ber", took 0.7 s on a million messages, and a search
-- reads it three times). Prefixes of 3 to 6 letters are indexed (a search
-- takes no prefix under 3; longer ones begin few words). The index is
-- rebuilt from messages.body; the triggers of 0012 keep it in step.
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
