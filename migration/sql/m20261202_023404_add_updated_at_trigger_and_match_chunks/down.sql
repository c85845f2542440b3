-- Rolls back m20261202_023404_add_updated_at_trigger_and_match_chunks: the reverse of each step of up.sql, last step first.

-- undoes: add trigger documents_set_updated_at on public.documents
DROP TRIGGER "documents_set_updated_at" ON "public"."documents";

-- undoes: add function public.set_updated_at()
COMMENT ON FUNCTION "public"."set_updated_at"() IS NULL;

-- undoes: add function public.set_updated_at()
DROP FUNCTION "public"."set_updated_at"();

-- undoes: add function public.match_chunks(query_embedding vector(1536), match_count integer)
COMMENT ON FUNCTION "public"."match_chunks"(query_embedding vector(1536), match_count integer) IS NULL;

-- undoes: add function public.match_chunks(query_embedding vector(1536), match_count integer)
DROP FUNCTION "public"."match_chunks"(query_embedding vector(1536), match_count integer);

-- undoes: add column public.documents.updated_at
ALTER TABLE "public"."documents" DROP COLUMN "updated_at";
