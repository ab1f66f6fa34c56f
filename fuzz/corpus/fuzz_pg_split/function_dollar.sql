-- strata:no-transaction
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, note text DEFAULT E'it\'s; fine');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.updated_at := now(); -- a ; inside the body
  RETURN NEW;
END;
$fn$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE INDEX CONCURRENTLY users_email ON users (email);
