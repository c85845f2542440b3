-- m20261202_021225_add_views: written by `tidemark migrate new` from the spec, diffed against sql/m20261125_141155_init/schema.yaml.
-- Review it before applying; after editing, run `tidemark migrate hash`.

-- from: add materialized view public.collection_stats
CREATE MATERIALIZED VIEW "public"."collection_stats" AS
SELECT d.tenant_id, d.collection_id,
       count(DISTINCT d.id) AS documents,
       count(c.embedding) AS embedded_chunks
FROM documents d
LEFT JOIN chunks c ON c.document_id = d.id
GROUP BY d.tenant_id, d.collection_id;

-- from: add materialized view public.collection_stats
COMMENT ON MATERIALIZED VIEW "public"."collection_stats" IS 'Per-collection counts for the dashboard; refreshed by a nightly job.';

-- from: add materialized view public.collection_stats
CREATE UNIQUE INDEX "collection_stats_key" ON "public"."collection_stats" USING btree ("tenant_id", "collection_id");

-- from: add view public.published_documents
CREATE VIEW "public"."published_documents" WITH (security_invoker=true) AS
SELECT id, tenant_id, collection_id, title, source_url, created_at
FROM documents
WHERE status = 'published';

-- from: add view public.published_documents
COMMENT ON VIEW "public"."published_documents" IS 'The documents retrieval may return.';

-- from: add view public.published_documents
COMMENT ON COLUMN "public"."published_documents"."source_url" IS 'Where the document was fetched from, if it came from the web.';
