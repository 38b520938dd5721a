-- A citizen who rated without a comment may add one comment afterwards,
-- through the survey's link (internal/csat, AddComment). The response
-- records how and when its comment came, apart from the rating's
-- answered_by and created_at. Comments given with the rating came with it.
ALTER TABLE csat_responses ADD COLUMN comment_by TEXT NOT NULL DEFAULT '';
ALTER TABLE csat_responses ADD COLUMN commented_at DATETIME NULL;
UPDATE csat_responses SET comment_by = answered_by, commented_at = created_at WHERE comment <> '';
