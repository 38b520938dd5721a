-- Admin screens: complaint categories and the IVR menu.
--
-- complaint_categories: the choices of the public complaint form, seeded
-- at start from the configuration when empty, edited on the admin screen.
-- sensitive: a complaint in the category is confidential unless the
-- citizen chooses otherwise. Inactive categories leave the form but keep
-- their labels for existing complaints.
CREATE TABLE complaint_categories (
    id         BIGSERIAL   PRIMARY KEY,
    code       TEXT        NOT NULL UNIQUE,
    label_id   TEXT        NOT NULL,
    label_en   TEXT        NOT NULL,
    sensitive  BOOLEAN     NOT NULL DEFAULT FALSE,
    active     BOOLEAN     NOT NULL DEFAULT TRUE,
    position   INTEGER     NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- The form lists the categories in order on every page load and submit.
CREATE INDEX complaint_categories_position_idx ON complaint_categories (position, id);

-- ivr_menus: every IVR menu applied from the admin screen, the newest in
-- force (new calls take it; no row: the configured file).
CREATE TABLE ivr_menus (
    id         BIGSERIAL   PRIMARY KEY,
    body       TEXT        NOT NULL,
    agent_id   BIGINT      NULL REFERENCES agents(id),
    created_at TIMESTAMPTZ NOT NULL
);
