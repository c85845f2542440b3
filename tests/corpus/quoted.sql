-- Schema-change cases (quoted), run by tests/corpus.rs: the desired database is inspected, the
-- spec pushed onto the current one, and both databases' pg_dump --schema-only must be equal.

-- case: mixed_case_table
-- expect: converge
-- current:

-- desired:
CREATE TABLE "Users" ("Id" int PRIMARY KEY, "FullName" text);

-- case: reserved_words
-- expect: converge
-- current:

-- desired:
CREATE TABLE "order" ("select" int, "from" text, "user" text);

-- case: spaces_in_names
-- expect: converge
-- current:

-- desired:
CREATE TABLE "line item" ("unit price" numeric, "Qty" int CHECK ("Qty" > 0));

-- case: quote_in_name
-- expect: converge
-- current:

-- desired:
CREATE TABLE "we""ird" ("co""l" int);

-- case: unicode_names
-- expect: converge
-- current:

-- desired:
CREATE TABLE "tâche" ("état" text, "東京" int);

-- case: quoted_index
-- expect: converge
-- current:

-- desired:
CREATE TABLE "T" ("A" int); CREATE INDEX "T A Idx" ON "T" ("A");

-- case: quoted_enum
-- expect: converge
-- current:

-- desired:
CREATE TYPE "Mood" AS ENUM ('Happy'); CREATE TABLE "T" ("m" "Mood");

-- case: quoted_schema
-- expect: converge
-- current:

-- desired:
CREATE SCHEMA "App Data"; CREATE TABLE "App Data"."Events" (id bigserial PRIMARY KEY);

-- case: quoted_fk
-- expect: converge
-- current:

-- desired:
CREATE TABLE "Parent" ("ID" int PRIMARY KEY); CREATE TABLE "Child" ("ParentID" int REFERENCES "Parent"("ID"));

-- case: quoted_check
-- expect: converge
-- current:

-- desired:
CREATE TABLE "T" ("Amount" int, CONSTRAINT "Amount Positive" CHECK ("Amount" > 0));

-- case: rename_mixed_case_column_is_drop_add
-- expect: converge
-- current:
CREATE TABLE "T" ("A" int);
-- desired:
CREATE TABLE "T" ("B" int);
