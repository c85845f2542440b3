-- m20261202_023404_add_updated_at_trigger_and_match_chunks: written by `tidemark migrate new` from the spec, diffed against sql/m20261202_021225_add_views/schema.yaml.
-- Review it before applying; after editing, run `tidemark migrate hash`.

-- from: add column public.documents.updated_at
ALTER TABLE "public"."documents" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;

-- from: add function public.match_chunks(query_embedding vector(1536), match_count integer)
CREATE FUNCTION "public"."match_chunks"(query_embedding vector(1536), match_count integer DEFAULT 10)
 RETURNS TABLE (document_id uuid, ordinal integer, content text, similarity double precision)
 LANGUAGE "sql" STABLE PARALLEL SAFE
AS $function$SELECT c.document_id, c.ordinal, c.content,
       1 - (c.embedding <=> query_embedding) AS similarity
FROM chunks c
WHERE c.embedding IS NOT NULL
ORDER BY c.embedding <=> query_embedding
LIMIT match_count;
$function$;

-- from: add function public.match_chunks(query_embedding vector(1536), match_count integer)
COMMENT ON FUNCTION "public"."match_chunks"(query_embedding vector(1536), match_count integer) IS 'The match_count chunks nearest to query_embedding, most similar first.';

-- from: add function public.set_updated_at()
CREATE FUNCTION "public"."set_updated_at"()
 RETURNS trigger
 LANGUAGE "plpgsql" VOLATILE
AS $function$BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$function$;

-- from: add function public.set_updated_at()
COMMENT ON FUNCTION "public"."set_updated_at"() IS 'Trigger function keeping updated_at current on every update.';

-- from: add trigger documents_set_updated_at on public.documents
CREATE TRIGGER "documents_set_updated_at" BEFORE UPDATE OF "status", "title", "body", "source_url", "metadata" ON "public"."documents" FOR EACH ROW EXECUTE FUNCTION "public"."set_updated_at"();
