CREATE TABLE `a;b` (id INT PRIMARY KEY, s VARCHAR(10) DEFAULT 'x;y''z\'');
# hash; comment
INSERT INTO `a;b` VALUES (1, "q;\""); -- dash; comment
SELECT 1--1;
/* block; */ SELECT 2;
