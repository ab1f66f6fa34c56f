-- a trigger body holds semicolons
CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);
CREATE TRIGGER t_ins AFTER INSERT ON users BEGIN
  INSERT INTO log(msg) VALUES ('user added; id=' || NEW.id);
  UPDATE users SET n = n + 1 WHERE id = NEW.id;
END;
/* block comment ; with semicolon */
INSERT INTO log(msg) VALUES ('it''s; quoted'), ("dq;name");
