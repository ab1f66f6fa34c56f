CREATE TABLE t (x TEXT DEFAULT 'a;b'); -- trailing comment
SELECT [weird;name], `x;y` FROM t
