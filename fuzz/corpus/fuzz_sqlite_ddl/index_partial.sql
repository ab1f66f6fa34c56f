CREATE UNIQUE INDEX IF NOT EXISTS "ix" ON p (a COLLATE NOCASE DESC, lower( b )  ASC, id) WHERE  a IS NOT NULL -- live
  AND b <> 'a  b';
