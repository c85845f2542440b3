-- Rolls back m20261202_021225_add_views: the reverse of each step of up.sql, last step first.

-- undoes: add view public.published_documents
COMMENT ON COLUMN "public"."published_documents"."source_url" IS NULL;

-- undoes: add view public.published_documents
COMMENT ON VIEW "public"."published_documents" IS NULL;

-- undoes: add view public.published_documents
DROP VIEW "public"."published_documents";

-- undoes: add materialized view public.collection_stats
DROP INDEX "public"."collection_stats_key";

-- undoes: add materialized view public.collection_stats
COMMENT ON MATERIALIZED VIEW "public"."collection_stats" IS NULL;

-- undoes: add materialized view public.collection_stats
DROP MATERIALIZED VIEW "public"."collection_stats";
