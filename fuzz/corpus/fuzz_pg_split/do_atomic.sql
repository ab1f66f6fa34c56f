/* outer /* nested ; comment */ still comment */
DO $$ BEGIN RAISE NOTICE 'x;y'; END $$;
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT a + b;
END;
ALTER TYPE mood ADD VALUE 'ok';
COPY t (a, b) FROM stdin;
