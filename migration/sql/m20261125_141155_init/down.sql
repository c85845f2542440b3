-- Rolls back m20261125_141155_init: the reverse of each step of up.sql, last step first.

-- undoes: add table public.tenants
COMMENT ON TABLE "public"."tenants" IS NULL;

-- undoes: add table public.documents
COMMENT ON COLUMN "public"."documents"."body_tsv" IS NULL;

-- undoes: add table public.documents
COMMENT ON TABLE "public"."documents" IS NULL;

-- undoes: add table public.collections
COMMENT ON TABLE "public"."collections" IS NULL;

-- undoes: add table public.chunks
COMMENT ON COLUMN "public"."chunks"."embedding" IS NULL;

-- undoes: add table public.chunks
COMMENT ON TABLE "public"."chunks" IS NULL;

-- undoes: add table analytics.search_events
COMMENT ON TABLE "analytics"."search_events" IS NULL;

-- undoes: add enum public.doc_status
COMMENT ON TYPE "public"."doc_status" IS NULL;

-- undoes: add table public.documents
ALTER TABLE "public"."documents" DROP CONSTRAINT "documents_collection_fkey";

-- undoes: add table public.collections
ALTER TABLE "public"."collections" DROP CONSTRAINT "collections_tenant_id_fkey";

-- undoes: add table public.chunks
ALTER TABLE "public"."chunks" DROP CONSTRAINT "chunks_document_id_fkey";

-- undoes: add table analytics.search_events
ALTER TABLE "analytics"."search_events" DROP CONSTRAINT "search_events_tenant_id_fkey";

-- undoes: add table public.documents
DROP INDEX "public"."documents_recent_idx";

-- undoes: add table public.documents
DROP INDEX "public"."documents_open_idx";

-- undoes: add table public.documents
DROP INDEX "public"."documents_embedding_large_idx";

-- undoes: add table public.documents
DROP INDEX "public"."documents_body_tsv_idx";

-- undoes: add table public.chunks
DROP INDEX "public"."chunks_sparse_idx";

-- undoes: add table public.chunks
DROP INDEX "public"."chunks_shingle_signature_idx";

-- undoes: add table public.chunks
DROP INDEX "public"."chunks_embedding_idx";

-- undoes: add table public.chunks
DROP INDEX "public"."chunks_embedding_bq_idx";

-- undoes: add table analytics.search_events
DROP INDEX "analytics"."search_events_tenant_time_idx";

-- undoes: add table analytics.search_events
DROP INDEX "analytics"."search_events_embedding_idx";

-- undoes: add table public.tenants
DROP TABLE "public"."tenants";

-- undoes: add table public.documents
DROP TABLE "public"."documents";

-- undoes: add table public.collections
DROP TABLE "public"."collections";

-- undoes: add table public.chunks
DROP TABLE "public"."chunks";

-- undoes: add table analytics.search_events
DROP TABLE "analytics"."search_events";

-- undoes: add enum public.plan_tier
DROP TYPE "public"."plan_tier";

-- undoes: add enum public.doc_status
DROP TYPE "public"."doc_status";

-- undoes: add enum analytics.feedback
DROP TYPE "analytics"."feedback";

-- undoes: add extension vector
DROP EXTENSION "vector";

-- undoes: add schema analytics
DROP SCHEMA "analytics";
