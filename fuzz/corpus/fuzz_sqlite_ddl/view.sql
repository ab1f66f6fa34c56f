CREATE VIEW IF NOT EXISTS v (x, "as") AS
  SELECT id AS x, 'as  is' AS "as" -- note
  FROM p /* c */ WHERE (a > 1);
